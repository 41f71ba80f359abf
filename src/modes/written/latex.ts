// A student's maths, LaTeX or plain, rewritten in the tool's own syntax: \frac{\partial loss}{\partial x}
// becomes a derivative, \hat{y} becomes yhat, 2(1) becomes 2*(1), \cdot becomes *. Derivatives come
// out as marked factors (DERIVATIVE_OPEN of SEPARATOR wrt DERIVATIVE_CLOSE) so that a right-hand side
// such as ∂loss/∂t · ∂t/∂x stays a product of derivatives; src/modes/written/read.ts resolves names.

/** Why a piece of the student's maths cannot be read, with a suggestion where there is one. */
export class Unreadable extends Error {}

export const DERIVATIVE_OPEN = '⟦'
export const DERIVATIVE_SEPARATOR = '‖'
export const DERIVATIVE_CLOSE = '⟧'

/** A marked derivative, its two sides captured: the one pattern every reader of marks uses. */
export const DERIVATIVE_MARK = `${DERIVATIVE_OPEN}([^${DERIVATIVE_CLOSE}]*)${DERIVATIVE_SEPARATOR}([^${DERIVATIVE_CLOSE}]*)${DERIVATIVE_CLOSE}`

const derivative = (of: string, wrt: string) => `${DERIVATIVE_OPEN}${of.trim()}${DERIVATIVE_SEPARATOR}${wrt.trim()}${DERIVATIVE_CLOSE}`

/** Commands whose argument is the text itself: \text{loss} is loss. */
const TEXT = new Set(['text', 'mathrm', 'textrm', 'mathit', 'textit', 'mathbf', 'boldsymbol', 'bm', 'mathsf', 'operatorname', 'mathnormal', 'textnormal'])
/** Accents that students put on names: \hat{y} is yhat, as a program names it. */
const ACCENTS: Record<string, string> = { hat: 'hat', widehat: 'hat', bar: 'bar', overline: 'bar', tilde: 'tilde', widetilde: 'tilde' }
/** Function commands, as the tool calls them. */
const FUNCTIONS: Record<string, string> = {
  exp: 'exp',
  log: 'log',
  ln: 'log',
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  arcsin: 'asin',
  arccos: 'acos',
  arctan: 'atan',
  max: 'max',
  min: 'min',
}
/** Commands that only space or size things. */
const SPACING = new Set([
  'left',
  'right',
  'big',
  'Big',
  'bigg',
  'Bigg',
  'bigl',
  'bigr',
  'Bigl',
  'Bigr',
  'biggl',
  'biggr',
  'displaystyle',
  'textstyle',
  'quad',
  'qquad',
  'nonumber',
  'notag',
])
const TIMES = new Set(['cdot', 'times', 'ast', 'cdotp'])
const SIZES = new Set(['big', 'Big', 'bigg', 'Bigg', 'bigr', 'Bigr', 'biggr', 'Biggr'])
const APPROX = new Set(['approx', 'simeq', 'approxeq', 'thickapprox'])
const GREEK =
  'alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi varphi chi psi omega'.split(' ')
const GREEK_LETTERS = 'αβγδεεζηθθικλμνξπρστυφφχψω'
/** Unicode a student types for the tool's ASCII: − · × ² ³ and ŷ (precomposed or with a combining hat). */
const UNICODE: [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  [/[−–]/g, '-'],
  [/[·×⋅∙]/g, '*'],
  [/²/g, '^2'],
  [/³/g, '^3'],
  [/ŷ/g, 'yhat'],
  // √u and √(…) are sqrt.
  [/√\s*(\([^()]*\)|[\p{L}\p{N}_.]+)/gu, (_: string, arg: string) => (arg.startsWith('(') ? `sqrt${arg}` : `sqrt(${arg})`)],
  // w₁ is w1, as w_1 is.
  [/[₀-₉]/g, (d: string) => String(d.charCodeAt(0) - 0x2080)],
  [/([\p{L}])\u0302/gu, '$1hat'],
  [/([\p{L}])\u0304/gu, '$1bar'],
]

/** Whether a \frac part is a differential: \partial …, d…, ∂…. */
const DIFFERENTIAL = /^\s*(\\partial(?![a-zA-Z])|∂|d)/

/** The student's LaTeX (or plain text) as the tool's syntax, derivatives marked. Throws Unreadable. */
export function fromLatex(source: string): string {
  let text = source
  for (const [pattern, replacement] of UNICODE) text = typeof replacement === 'string' ? text.replace(pattern, replacement) : text.replace(pattern, replacement)
  return new Reader(text).all()
}

/** Groups inside groups past this depth are refused: the reader recurses into each. */
const MAX_DEPTH = 40

class Reader {
  private i = 0
  constructor(
    private readonly s: string,
    private readonly depth = 0,
  ) {
    if (depth > MAX_DEPTH) throw new Unreadable(`the braces are nested more than ${MAX_DEPTH} deep`)
  }

  /** A sticky pattern matched at the cursor, without copying the rest of the text. */
  private at(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.i
    return pattern.exec(this.s)
  }

  private read(text: string): string {
    return new Reader(text, this.depth + 1).all()
  }

  all(): string {
    let out = ''
    while (this.i < this.s.length) out += this.next()
    return out
  }

  /** One piece: a command, a group, or a character. */
  private next(): string {
    const c = this.s[this.i]!
    if (c === '\\') return this.command()
    if (c === '{') return `(${this.read(this.group())})`
    if (c === '}') throw new Unreadable('a } closes nothing')
    if (c === '~' || c === '&') return (this.i++, ' ')
    if (c === '|' && this.s[this.i + 1] === '_') return this.evaluatedAt()
    if (c === '^') return (this.i++, `^${this.argument()}`)
    if (c === '_') return (this.i++, `_${this.subscript()}`)
    this.i++
    return c
  }

  private command(): string {
    const match = this.at(/\\([a-zA-Z]+|.)/y)
    if (!match) throw new Unreadable('a \\ ends the line: a command is missing its name')
    const name = match[1]!
    this.i += match[0].length
    if (name === 'frac' || name === 'dfrac' || name === 'tfrac') return this.fraction()
    if (name === 'partial') return '∂'
    if (TIMES.has(name)) return '*'
    if (APPROX.has(name)) return '≈'
    // \left. opens nothing: the bar it pairs with (\right|_{w=0}) says where, not what.
    if (name === 'left' && this.s[this.i] === '.') return (this.i++, ' ')
    if ((name === 'right' || SIZES.has(name)) && this.s[this.i] === '|' && this.s[this.i + 1] === '_') return this.evaluatedAt()
    if (name === 'checkmark' || name === 'surd') return ' '
    if (SPACING.has(name) || name === ',' || name === ';' || name === ':' || name === '!' || name === ' ') return ' '
    if (name === '{' || name === '}') return name === '{' ? '(' : ')'
    if (name === '|') return '|'
    if (TEXT.has(name)) return this.textArgument()
    if (Object.hasOwn(ACCENTS, name)) return `${this.textArgument()}${ACCENTS[name]}`
    if (name === 'sqrt') return this.root()
    if (name === 'boxed' || name === 'underbrace' || name === 'overbrace' || name === 'color') return this.boxed(name)
    if (Object.hasOwn(FUNCTIONS, name)) return this.call(FUNCTIONS[name]!)
    const greek = GREEK.indexOf(name)
    if (greek >= 0) return ` ${GREEK_LETTERS[greek]!}`
    if (name === 'cdots' || name === 'ldots' || name === 'dots') throw new Unreadable('an elided … cannot be checked: write every factor')
    throw new Unreadable(`\\${name} is not something a derivative is written with here`)
  }

  /** \frac{A}{B}: a derivative when both are differentials, else (A)/(B). */
  private fraction(): string {
    const top = this.argumentSource()
    const bottom = this.argumentSource()
    const dTop = DIFFERENTIAL.exec(top)
    const dBottom = DIFFERENTIAL.exec(bottom)
    if (dTop && dBottom) {
      const wrt = this.read(bottom.slice(dBottom[0].length))
      let of = this.read(top.slice(dTop[0].length))
      // \frac{d}{dx}(x w): the operator form, applied to what follows.
      if (of.trim() === '') of = this.operand()
      if (wrt.trim() === '') throw new Unreadable('the derivative has nothing after the ∂ below the bar')
      return derivative(of, wrt)
    }
    return `((${this.read(top)})/(${this.read(bottom)}))`
  }

  /** What an operator-form derivative applies to: a group in parentheses or braces, or the next name. */
  private operand(): string {
    this.skipSpaces()
    if (this.s.startsWith('\\left', this.i)) this.i += 5
    const c = this.s[this.i]
    if (c === '(' || c === '[') {
      const close = matching(this.s, this.i)
      const inner = this.s.slice(this.i + 1, close).replace(/\\right\s*$/, '')
      this.i = close + 1
      return `(${this.read(inner)})`
    }
    if (c === '{') return `(${this.read(this.group())})`
    // \frac{d}{dx}\exp(x), \frac{d}{ds} e^{-s}: a function with its argument, or a name with its power.
    const fn = this.at(/\\([a-zA-Z]+)/y)
    if (fn && Object.hasOwn(FUNCTIONS, fn[1]!)) {
      this.i += fn[0].length
      const called = this.call(FUNCTIONS[fn[1]!]!)
      this.skipSpaces()
      if (this.s.startsWith('\\left', this.i)) this.i += 5
      return `(${called}${this.s[this.i] === '(' ? this.parenthesized() : ''})`
    }
    const name = this.at(/(\\[a-zA-Z]+(\{[^{}]*\})?|[\p{L}\p{N}_]+)/uy)
    if (!name) throw new Unreadable('\\frac{d}{dx} needs what it differentiates after it, as in \\frac{d}{dx}(x w)')
    this.i += name[0].length
    const power = this.s[this.i] === '^' ? (this.i++, `^${this.argument()}`) : ''
    return `(${this.read(name[0])}${power})`
  }

  /**
   * |_{x} after a derivative says where it is taken. A point of its own (|_{w = 1.8}) is not the
   * trace's: such a claim is checked by giving those values on the command line instead.
   */
  private evaluatedAt(): string {
    this.i += 2
    const at = this.argumentSource()
    if (/=/.test(at))
      throw new Unreadable(
        `it is taken at ${at.replace(/\s+/g, ' ').trim()}, and the trace is at the values on the command line: check it there with those values`,
      )
    return ' '
  }

  /** A (…) group at the cursor, read, with its parentheses. */
  private parenthesized(): string {
    const close = matching(this.s, this.i)
    const inner = this.s.slice(this.i + 1, close).replace(/\\right\s*$/, '')
    this.i = close + 1
    return `(${this.read(inner)})`
  }

  private skipSpaces(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++
  }

  /** The raw text of the next argument: a {group} or one character or command. */
  private argumentSource(): string {
    this.skipSpaces()
    if (this.s[this.i] === '{') return this.group()
    const one = this.at(/(\\[a-zA-Z]+|.)/y)
    if (!one) throw new Unreadable('a command is missing its argument')
    this.i += one[0].length
    return one[0]
  }

  /** An argument of ^ as the tool writes it: one character, or (the group). */
  private argument(): string {
    const raw = this.argumentSource()
    const inner = this.read(raw)
    return /^[\p{L}\p{N}.]$/u.test(inner) ? inner : `(${inner})`
  }

  /** x_{1}: the subscript as part of the name (x_1); name resolution also tries x1. */
  private subscript(): string {
    return this.read(this.argumentSource()).replace(/[^\p{L}\p{N}_]/gu, '')
  }

  /** \text{loss} is the name loss; \text{ (by the chain rule)}, words, is a remark: left out. */
  private textArgument(): string {
    const text = this.argumentSource()
    if (/[\p{L}]{2,}\s+[\p{L}]/u.test(text.trim())) return ' '
    return this.read(text).replace(/\s+/g, '')
  }

  private root(): string {
    this.skipSpaces()
    if (this.s[this.i] === '[') {
      const close = this.s.indexOf(']', this.i)
      if (close < 0) throw new Unreadable('\\sqrt[ has no ]: write \\sqrt[3]{x}')
      const degree = this.read(this.s.slice(this.i + 1, close))
      this.i = close + 1
      return `(${this.read(this.argumentSource())})^(1/(${degree}))`
    }
    return `sqrt(${this.read(this.argumentSource())})`
  }

  /** \boxed{…} and its like mark a part: read what is inside. */
  private boxed(name: string): string {
    if (name === 'color') this.argumentSource()
    const inner = this.read(this.argumentSource())
    if (name === 'underbrace' || name === 'overbrace') {
      this.skipSpaces()
      if (this.s[this.i] === '_' || this.s[this.i] === '^') (this.i++, this.argumentSource())
    }
    return `(${inner})`
  }

  /** \log x as log(x); \log(x) and \log{x} as they are. */
  private call(fn: string): string {
    this.skipSpaces()
    // Spaced so that x\exp(x) stays x exp(x), a product, and never the name xexp.
    if (this.s[this.i] === '(' || this.s.startsWith('\\left', this.i)) return ` ${fn}`
    if (this.s[this.i] === '^') {
      // \tanh^2(z) and \sin^2 x are (tanh(z))^2 and (sin(x))^2.
      this.i++
      const power = this.argument()
      this.skipSpaces()
      if (this.s.startsWith('\\left', this.i)) this.i += 5
      const argument = this.s[this.i] === '(' ? this.parenthesized() : `(${this.read(this.argumentSource())})`
      return ` (${fn}${argument})^${power}`
    }
    return ` ${fn}(${this.read(this.argumentSource())})`
  }

  /** The text of a {…} group at the cursor, without its braces. */
  private group(): string {
    const close = matching(this.s, this.i)
    const inner = this.s.slice(this.i + 1, close)
    this.i = close + 1
    return inner
  }
}

/** The index of the bracket that closes the one at `open` ({, ( or [). */
export function matching(s: string, open: number): number {
  const pairs: Record<string, string> = { '{': '}', '(': ')', '[': ']' }
  const want = pairs[s[open]!]!
  const opener = s[open]!
  let depth = 0
  for (let i = open; i < s.length; i++) {
    if (s[i] === '\\' && opener === '{') {
      i++
      continue
    }
    if (s[i] === opener) depth++
    else if (s[i] === want && --depth === 0) return i
  }
  throw new Unreadable(`a ${opener} is never closed`)
}
