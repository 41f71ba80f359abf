// One linear pass over the raw text before mathjs sees it: mathjs nodes carry no positions, so
// everything refused is refused here by offset (unsupported characters and words, unknown calls,
// too deep or too big), and the statements, call sites and name slots are noted for the parser.
import { InputError, describePosition, escapeControls } from '../errors.js'
import { LIMITS } from '../limits.js'
import { functionArities } from '../ops.js'
import { isDefinition, unknownFunction } from './suggest.js'

/** Characters and words mathjs accepts that the tutor refuses, with what they are. */
const REFUSED_CHARS: Record<string, string> = {
  '[': 'matrices and indexing ([ ])',
  ']': 'matrices and indexing ([ ])',
  '{': 'objects ({ })',
  '}': 'objects ({ })',
  '"': 'strings',
  "'": "strings and the transpose operator (')",
  '`': 'strings',
  '?': 'conditionals (a ? b : c)',
  ':': 'ranges and conditionals (:)',
  '%': 'the percent and modulo operator (%)',
  '!': 'factorial (!) and != comparisons',
  '<': 'comparisons and shifts (<)',
  '>': 'comparisons and shifts (>)',
  '&': 'bitwise and logical operators (&)',
  '|': 'bitwise and logical operators (|)',
  '~': 'the bitwise not operator (~)',
  '.': 'property access (a.b) and element-wise operators (.*)',
  '@': 'the character @',
  '\\': 'the character \\',
}
const REFUSED_WORDS: Record<string, string> = {
  mod: 'the mod operator',
  to: 'unit conversion (to)',
  in: 'unit conversion (in)',
  and: 'logical operators (and)',
  or: 'logical operators (or)',
  xor: 'logical operators (xor)',
  not: 'logical operators (not)',
  true: 'booleans (true)',
  false: 'booleans (false)',
  null: 'null',
  undefined: 'undefined',
  NaN: 'NaN as a literal',
  Infinity: 'Infinity as a literal',
}

export interface Scan {
  /** Start offset of every non-empty statement, in order (mathjs's blocks match these). */
  statementStarts: number[]
  /** Every `name(` in the text, by statement: where mathjs will see a function call. */
  calls: { name: string; offset: number }[][]
  /** By statement, start and end offsets (flat pairs) of the names that are values: a shape's slots. */
  slots: number[][]
}

const isDigit = (c: string) => c >= '0' && c <= '9'
// The letters mathjs accepts in names (its parse.isAlpha): Latin, Greek and letterlike symbols.
const LETTER = 'a-zA-Z_$\\u00C0-\\u02AF\\u0370-\\u03FF\\u2100-\\u214F'
const NON_ASCII_LETTER = new RegExp(`[${LETTER}]`)
export const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || (c > '\u007f' && NON_ASCII_LETTER.test(c))
const NUMBER = /0[xXbBoO][0-9a-fA-F]+|[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]+)?/y

export function refuse(what: string, offset: number, source: string): never {
  throw new InputError(`not supported: ${what}, at ${describePosition(source, offset)}; the tutor differentiates scalar arithmetic only`, offset, source)
}

/** Scans the whole text: refuses by position, notes statements, call sites and slots. */
export function scan(source: string): Scan {
  return new Scanner(source).run()
}

class Scanner {
  readonly statementStarts: number[] = []
  readonly calls: Scan['calls'] = []
  readonly slots: Scan['slots'] = []
  private i = 0
  private depth = 0
  private inStatement = false
  private terms = 0
  // How deep mathjs's recursive parser will go: parentheses, plus chains of ^ and of unary signs,
  // which it parses recursively too. Each parenthesis level keeps its own chain counts (pairs in
  // `enclosing`).
  private pow = 0
  private unary = 0
  private readonly enclosing: number[] = []
  private outer = 0
  private expectOperand = true

  constructor(private readonly source: string) {}

  run(): Scan {
    const source = this.source
    while (this.i < source.length) this.token(source[this.i]!)
    return { statementStarts: this.statementStarts, calls: this.calls, slots: this.slots }
  }

  private token(c: string): void {
    const source = this.source
    if (c === ' ' || c === '\t' || c === '\r' || c === '\u00a0') this.i++
    else if (c === '\n') this.lineEnd()
    else if (c === ';') this.statementEnd()
    else if (c === '#') this.comment()
    else if (isDigit(c) || (c === '.' && isDigit(source[this.i + 1] ?? ''))) this.number()
    else if (isLetter(c)) this.name()
    else if (c === '(') this.open()
    else if (c === ')') this.close()
    else if (c === '=' && source[this.i + 1] === '=') refuse('comparisons (==)', this.i, source)
    else if (c === '+' || c === '-' || c === '*' || c === '/' || c === '^' || c === ',' || c === '=') this.operator(c)
    else if (Object.hasOwn(REFUSED_CHARS, c)) refuse(REFUSED_CHARS[c]!, this.i, source)
    else this.unexpected()
  }

  private startStatement(): void {
    this.statementStarts.push(this.i)
    this.calls.push([])
    this.slots.push([])
    this.inStatement = true
  }

  /** An operand (a number or a name): one more term, and right after another operand, an implicit product. */
  private operand(): void {
    if (!this.inStatement) this.startStatement()
    if (++this.terms > LIMITS.maxTerms) {
      throw new InputError(
        `the program has more than ${LIMITS.maxTerms} numbers and names, the tutor's limit (the first one over it is at ${describePosition(this.source, this.i)}); split it into smaller programs`,
      )
    }
    if (!this.expectOperand) this.pow = this.unary = 0
    this.expectOperand = false
  }

  private nest(): void {
    if (this.depth + this.outer + this.pow + this.unary > LIMITS.maxNesting) {
      throw new InputError(
        `the expression is nested more than ${LIMITS.maxNesting} deep (at ${describePosition(this.source, this.i)}); parentheses, chains of ^ and repeated signs all count, and that is the tutor's limit`,
        this.i,
        this.source,
      )
    }
  }

  private lineEnd(): void {
    // Inside parentheses a newline continues the statement, as for mathjs.
    if (this.depth === 0) this.statementEnd()
    else this.i++
  }

  private statementEnd(): void {
    this.inStatement = false
    this.pow = this.unary = 0
    this.expectOperand = true
    this.i++
  }

  private comment(): void {
    while (this.i < this.source.length && this.source[this.i] !== '\n') this.i++
  }

  private number(): void {
    this.operand()
    NUMBER.lastIndex = this.i
    this.i += Math.max(1, NUMBER.exec(this.source)?.[0].length ?? 1)
  }

  private name(): void {
    const source = this.source
    this.operand()
    const start = this.i++
    while (this.i < source.length && (isDigit(source[this.i]!) || isLetter(source[this.i]!))) this.i++
    const name = source.slice(start, this.i)
    if (Object.hasOwn(REFUSED_WORDS, name)) refuse(REFUSED_WORDS[name]!, start, source)
    let j = this.i
    while (source[j] === ' ' || source[j] === '\t') j++
    const statement = this.statementStarts.length - 1
    if (source[j] === '(') {
      // Refuse unknown calls here, by position, before any string or bracket inside them.
      if (!Object.hasOwn(functionArities, name)) {
        if (isDefinition(source, j)) refuse('function definitions like f(x) = …', start, source)
        unknownFunction(name, start, source)
      }
      this.calls[statement]!.push({ name, offset: start })
    } else if (!(start > 0 && (isDigit(source[start - 1]!) || source[start - 1] === '.'))) {
      // Right after a number a name is not a slot: mathjs reads 2e+x differently from 2a+x.
      this.slots[statement]!.push(start, this.i)
    }
  }

  private open(): void {
    if (!this.inStatement) this.startStatement()
    this.enclosing.push(this.pow, this.unary)
    this.outer += this.pow + this.unary
    this.pow = this.unary = 0
    this.depth++
    this.nest()
    this.expectOperand = true
    this.i++
  }

  private close(): void {
    this.depth = Math.max(0, this.depth - 1)
    this.unary = this.enclosing.pop() ?? 0
    this.pow = this.enclosing.pop() ?? 0
    this.outer -= this.pow + this.unary
    this.expectOperand = false
    this.i++
  }

  private operator(c: string): void {
    if (!this.inStatement) this.startStatement()
    if (c === '^') {
      this.pow++
      this.nest()
      this.expectOperand = true
    } else if ((c === '+' || c === '-') && this.expectOperand) {
      this.unary++
      this.nest()
    } else {
      this.pow = this.unary = 0
      this.expectOperand = true
    }
    this.i++
  }

  private unexpected(): never {
    const ch = String.fromCodePoint(this.source.codePointAt(this.i)!)
    throw new InputError(
      `unexpected character "${escapeControls(ch)}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) at ${describePosition(this.source, this.i)}`,
      this.i,
      this.source,
    )
  }
}
