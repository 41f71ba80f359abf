// The mathjs boundary: the only module that knows mathjs or its node types. A scan of the raw text
// refuses unsupported constructs by position first (mathjs nodes carry no positions), then mathjs
// parses, then its tree is copied into our small Expr type, iteratively (programs can be huge).
import { create, parseDependencies } from 'mathjs/number'
import { LIMITS } from './limits.js'
import { InputError, describePosition } from './errors.js'
import { CONSTANTS, callOp, supportedFunctions, functionArities, type OpId } from './ops.js'

export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'apply'; op: OpId; args: Expr[] }

/** A number or a name: an Expr without arguments. */
export type Leaf = Exclude<Expr, { kind: 'apply' }>

/**
 * Post-order over an Expr, leaves in the order they are written, with an explicit stack: programs
 * can nest 100,000 deep on one side.
 */
export function foldExpr<T>(root: Expr, leaf: (expr: Leaf) => T, operation: (op: OpId, args: T[]) => T): T {
  const stack: { expr: Expr; expanded: boolean }[] = [{ expr: root, expanded: false }]
  const results: T[] = []
  while (stack.length > 0) {
    const frame = stack.pop()!
    const expr = frame.expr
    if (expr.kind !== 'apply') {
      results.push(leaf(expr))
    } else if (!frame.expanded) {
      frame.expanded = true
      stack.push(frame)
      for (let i = expr.args.length - 1; i >= 0; i--) stack.push({ expr: expr.args[i]!, expanded: false })
    } else {
      results.push(operation(expr.op, results.splice(results.length - expr.args.length)))
    }
  }
  return results[0]!
}

export interface Statement {
  /** The assigned name, or undefined for a bare expression. */
  target?: string
  expr: Expr
  /** Offset of the statement's first character in the source. */
  offset: number
}

export interface Program {
  source: string
  statements: Statement[]
}

const { parse: mathParse } = create({ parseDependencies: parseDependencies! })

const OPERATORS: Record<string, OpId> = {
  add: 'add',
  subtract: 'sub',
  multiply: 'mul',
  divide: 'div',
  pow: 'pow',
  unaryMinus: 'neg',
}

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

interface Scan {
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
const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || (c > '\u007f' && NON_ASCII_LETTER.test(c))
const NUMBER = /0[xXbBoO][0-9a-fA-F]+|[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]+)?/y

function refuse(what: string, offset: number, source: string): never {
  throw new InputError(
    `not supported: ${what}, at ${describePosition(source, offset)}; the tutor differentiates scalar arithmetic only`,
    offset,
    source,
  )
}

/** One linear pass over the text: refuse by position, note statements and call sites. */
function scan(source: string): Scan {
  const statementStarts: number[] = []
  const calls: Scan['calls'] = []
  const slots: Scan['slots'] = []
  let depth = 0
  let inStatement = false
  let terms = 0
  let i = 0
  const startToken = (at: number) => {
    statementStarts.push(at)
    calls.push([])
    slots.push([])
    inStatement = true
  }
  // How deep mathjs's recursive parser will go: parentheses, plus chains of ^ and of unary signs,
  // which it parses recursively too. Each parenthesis level keeps its own chain counts (pairs in
  // `enclosing`).
  let pow = 0
  let unary = 0
  const enclosing: number[] = []
  let outer = 0
  let expectOperand = true
  const nest = (at: number) => {
    if (depth + outer + pow + unary > LIMITS.maxNesting) {
      throw new InputError(
        `the expression is nested more than ${LIMITS.maxNesting} deep (at ${describePosition(source, at)}); parentheses, chains of ^ and repeated signs all count, and that is the tutor's limit`,
        at,
        source,
      )
    }
  }
  const countTerm = (at: number) => {
    if (++terms > LIMITS.maxTerms) {
      throw new InputError(
        `the program has more than ${LIMITS.maxTerms} numbers and names, the tutor's limit (the first one over it is at ${describePosition(source, at)}); split it into smaller programs`,
      )
    }
  }
  while (i < source.length) {
    const c = source[i]!
    if (c === ' ' || c === '\t' || c === '\r' || c === '\u00a0') {
      i++
    } else if (c === '\n') {
      if (depth === 0) {
        inStatement = false
        pow = unary = 0
        expectOperand = true
      }
      i++
    } else if (c === ';') {
      inStatement = false
      pow = unary = 0
      expectOperand = true
      i++
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++
    } else if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? ''))) {
      if (!inStatement) startToken(i)
      countTerm(i)
      if (!expectOperand) pow = unary = 0 // implicit multiplication
      expectOperand = false
      NUMBER.lastIndex = i
      i += Math.max(1, NUMBER.exec(source)?.[0].length ?? 1)
    } else if (isLetter(c)) {
      if (!inStatement) startToken(i)
      countTerm(i)
      if (!expectOperand) pow = unary = 0 // implicit multiplication
      expectOperand = false
      const start = i
      i++
      while (i < source.length && (isDigit(source[i]!) || isLetter(source[i]!))) i++
      const name = source.slice(start, i)
      if (Object.hasOwn(REFUSED_WORDS, name)) refuse(REFUSED_WORDS[name]!, start, source)
      let j = i
      while (source[j] === ' ' || source[j] === '\t') j++
      if (source[j] === '(') {
        // Refuse unknown calls here, by position, before any string or bracket inside them.
        if (!Object.hasOwn(functionArities, name)) {
          if (isDefinition(source, j)) refuse('function definitions like f(x) = …', start, source)
          unknownFunction(name, start, source)
        }
        calls[statementStarts.length - 1]!.push({ name, offset: start })
      } else if (!(start > 0 && (isDigit(source[start - 1]!) || source[start - 1] === '.'))) {
        // Right after a number a name is not a slot: mathjs reads 2e+x differently from 2a+x.
        slots[statementStarts.length - 1]!.push(start, i)
      }
    } else if (c === '(') {
      if (!inStatement) startToken(i)
      enclosing.push(pow, unary)
      outer += pow + unary
      pow = unary = 0
      depth++
      nest(i)
      expectOperand = true
      i++
    } else if (c === ')') {
      depth = Math.max(0, depth - 1)
      unary = enclosing.pop() ?? 0
      pow = enclosing.pop() ?? 0
      outer -= pow + unary
      expectOperand = false
      i++
    } else if (c === '=' && source[i + 1] === '=') {
      refuse('comparisons (==)', i, source)
    } else if (c === '+' || c === '-' || c === '*' || c === '/' || c === '^' || c === ',' || c === '=') {
      if (!inStatement) startToken(i)
      if (c === '^') {
        pow++
        nest(i)
        expectOperand = true
      } else if ((c === '+' || c === '-') && expectOperand) {
        unary++
        nest(i)
      } else {
        pow = unary = 0
        expectOperand = true
      }
      i++
    } else if (Object.hasOwn(REFUSED_CHARS, c)) {
      refuse(REFUSED_CHARS[c]!, i, source)
    } else {
      const ch = String.fromCodePoint(source.codePointAt(i)!)
      throw new InputError(
        `unexpected character "${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) at ${describePosition(source, i)}`,
        i,
        source,
      )
    }
  }
  return { statementStarts, calls, slots }
}

type MathNode = {
  type: string
  fn?: string | MathNode
  name?: string
  value?: unknown
  args?: MathNode[]
  content?: MathNode
  object?: MathNode
  index?: unknown
  blocks?: { node: MathNode }[]
}

const NODE_WORDS: Record<string, string> = {
  AccessorNode: 'property access and indexing',
  ArrayNode: 'matrices',
  ObjectNode: 'objects',
  FunctionAssignmentNode: 'function definitions like f(x) = …',
  ConditionalNode: 'conditionals (a ? b : c)',
  RangeNode: 'ranges (a:b)',
  IndexNode: 'indexing',
  RelationalNode: 'comparisons',
  BlockNode: 'nested blocks',
  AssignmentNode: 'assignments inside an expression',
}

/** Parses program text into statements. Throws InputError naming the problem and its position. */
export function parseProgram(source: string): Program {
  if (source.length > LIMITS.maxLength) {
    throw new InputError(
      `the program is ${source.length} characters long; the tutor's limit is ${LIMITS.maxLength} (4 MiB)`,
    )
  }
  const scanned = scan(source)
  if (scanned.statementStarts.length === 0) {
    throw new InputError('the program is empty: give an expression such as "(x*w+b-y)^2"')
  }
  // Each statement is parsed on its own: its mathjs tree is garbage as soon as it is copied, so
  // a program of 10,000 statements never holds 10,000 trees at once (it costs the collector a
  // third of a second). A statement that does not parse goes through one parse of the whole text,
  // for mathjs's own message and position; problems are reported in reading order.
  const statements: Statement[] = []
  const shapes = new Map<string, Shape | null>()
  // The shape key joins the text around the slots with NUL, which the text itself must not hold.
  const keyed = !source.includes('\u0000')
  for (let k = 0; k < scanned.statementStarts.length; k++) {
    const start = scanned.statementStarts[k]!
    const end = scanned.statementStarts[k + 1] ?? source.length
    // The slices cover the whole text: the first from 0, so that nothing before it goes unparsed.
    const from = k === 0 ? 0 : start
    const slots = scanned.slots[k]!
    const names: string[] = []
    let key = ''
    let at = from
    for (let s = 0; s < slots.length; s += 2) {
      key += source.slice(at, slots[s]) + '\u0000'
      names.push(source.slice(slots[s], slots[s + 1]))
      at = slots[s + 1]!
    }
    key += source.slice(at, end)
    const cacheable = keyed && names.every(isPlainName)
    const shape = cacheable ? shapes.get(key) : undefined
    if (shape) {
      statements.push(instantiate(shape, names, start))
      continue
    }
    const node = parseStatement(source.slice(from, end))
    if (!node) return parseWhole(source, scanned)
    const statement = toStatement(node, { source, start, end, calls: scanned.calls[k] ?? [] })
    statements.push(statement)
    if (cacheable && shape === undefined) shapes.set(key, shapeOf(statement, names))
  }
  return { source, statements }
}

/**
 * A statement's tree with its names taken out, in the order they are written. Programs repeat
 * one statement with other names (unrolled layers, generated chains): mathjs parses each shape
 * once, and the others are copies with their own names put in. Sound because mathjs parses a
 * plain name the same whatever it is called; the names a parse treats specially (function
 * names, constants, mathjs's words like `mod`, a name right after a number) never fill a slot.
 */
interface Shape {
  expr: Expr
  /** Whether the first slot is the assigned name. */
  assigns: boolean
}

const isPlainName = (name: string) => !Object.hasOwn(functionArities, name) && !Object.hasOwn(CONSTANTS, name)

/** The shape of a parsed statement, or null when its names are not its slots, in order (then it is not reused). */
function shapeOf(statement: Statement, names: string[]): Shape | null {
  const assigns = statement.target !== undefined
  if (assigns && statement.target !== names[0]) return null
  let slot = assigns ? 1 : 0
  let matches = true
  // The same walk as instantiate's, so the names are read in the order they are put back.
  foldExpr(
    statement.expr,
    (leaf) => {
      if (leaf.kind === 'name' && leaf.name !== names[slot++]) matches = false
    },
    () => undefined,
  )
  return matches && slot === names.length ? { expr: statement.expr, assigns } : null
}

/** A statement of the shape with these names, which fill its slots in order. */
function instantiate(shape: Shape, names: string[], offset: number): Statement {
  let slot = shape.assigns ? 1 : 0
  // Numbers are shared: Exprs are never changed.
  const expr = foldExpr<Expr>(
    shape.expr,
    (leaf) => (leaf.kind === 'name' ? { kind: 'name', name: names[slot++]! } : leaf),
    (op, args) => ({ kind: 'apply', op, args }),
  )
  return shape.assigns ? { target: names[0]!, expr, offset } : { expr, offset }
}

/** One statement's tree, or undefined when it does not parse as exactly one statement. */
function parseStatement(text: string): MathNode | undefined {
  let root: MathNode
  try {
    root = mathParse(text) as unknown as MathNode
  } catch {
    return undefined
  }
  if (root.type !== 'BlockNode') return root
  return root.blocks?.length === 1 ? root.blocks[0]!.node : undefined
}

/** The whole text in one parse: the way mathjs reports a syntax error, with its position in the program. */
function parseWhole(source: string, scanned: Scan): Program {
  let root: MathNode
  try {
    root = mathParse(source) as unknown as MathNode
  } catch (error) {
    if (error instanceof RangeError) {
      throw new InputError(
        'the program is nested too deeply for the parser (long chains of ^ or unary minus); split it into statements',
      )
    }
    const message = error instanceof Error ? error.message : String(error)
    const char = (error as { char?: unknown }).char
    const offset = typeof char === 'number' ? Math.max(0, Math.min(char - 1, source.length)) : undefined
    const clean = message.replace(/\s*\(char \d+\)\s*$/, '')
    throw new InputError(
      `syntax error: ${clean}${offset === undefined ? '' : ` at ${describePosition(source, offset)}`}`,
      offset,
      source,
    )
  }
  const blocks = root.type === 'BlockNode' ? (root.blocks ?? []).map((b) => b.node) : [root]
  const statements = blocks.map((node, k) => {
    const start = scanned.statementStarts[k] ?? 0
    const end = scanned.statementStarts[k + 1] ?? source.length
    return toStatement(node, { source, start, end, calls: scanned.calls[k] ?? [] })
  })
  return { source, statements }
}

interface Where {
  source: string
  start: number
  end: number
  /** The call sites of this statement. */
  calls: Scan['calls'][number]
}

function toStatement(node: MathNode, where: Where): Statement {
  if (node.type === 'AssignmentNode') {
    const target = node.object
    if (!target || target.type !== 'SymbolNode' || node.index) {
      refuse('assignments to anything but a plain name', where.start, where.source)
    }
    const name = target.name!
    if (Object.hasOwn(CONSTANTS, name)) {
      throw new InputError(
        `cannot assign to ${name} (at ${describePosition(where.source, where.start)}): it is the constant ${CONSTANTS[name]}`,
        where.start,
        where.source,
      )
    }
    if (Object.hasOwn(functionArities, name)) {
      throw new InputError(
        `cannot assign to ${name} (at ${describePosition(where.source, where.start)}): it is a function name`,
        where.start,
        where.source,
      )
    }
    return { target: name, expr: toExpr((node as unknown as { value: MathNode }).value, where), offset: where.start }
  }
  return { expr: toExpr(node, where), offset: where.start }
}

/** Copies a mathjs expression tree into Expr with an explicit stack (no recursion). */
function toExpr(root: MathNode, where: Where): Expr {
  // Post-order: a frame is visited once to push its children, then again to build it.
  const stack: { node: MathNode; built: boolean }[] = [{ node: root, built: false }]
  const results: Expr[] = []
  while (stack.length > 0) {
    const frame = stack.pop()!
    const node = frame.node
    if (node.type === 'ParenthesisNode') {
      stack.push({ node: node.content!, built: false })
      continue
    }
    const children = node.type === 'OperatorNode' || node.type === 'FunctionNode' ? (node.args ?? []) : []
    if (!frame.built && children.length > 0) {
      frame.built = true
      stack.push(frame)
      for (let k = children.length - 1; k >= 0; k--) stack.push({ node: children[k]!, built: false })
      continue
    }
    const args = children.length > 0 ? results.splice(results.length - children.length) : []
    results.push(leafOrApply(node, args, where))
  }
  return results[0]!
}

function leafOrApply(node: MathNode, args: Expr[], where: Where): Expr {
  switch (node.type) {
    case 'ConstantNode': {
      if (typeof node.value !== 'number') refuse(`the constant ${String(node.value)}`, where.start, where.source)
      if (!Number.isFinite(node.value)) refuse('numbers beyond the range of a double (about 1.8e308)', where.start, where.source)
      return { kind: 'number', value: node.value }
    }
    case 'SymbolNode': {
      const name = node.name!
      if (Object.hasOwn(functionArities, name)) {
        const at = new RegExp(`(?<![\\w$])${name}(?![\\w$])(?![ \\t]*\\()`).exec(where.source.slice(where.start, where.end))
        const offset = where.start + (at?.index ?? 0)
        throw new InputError(`${name} is a function, not a value (at ${describePosition(where.source, offset)}): call it, as in ${name}(x)`, offset, where.source)
      }
      return { kind: 'name', name }
    }
    case 'OperatorNode': {
      const fn = node.fn as string
      if (fn === 'unaryPlus') return args[0]!
      const op = OPERATORS[fn]
      if (!op) refuse(`the operator ${String((node as { op?: string }).op ?? fn)}`, where.start, where.source)
      return { kind: 'apply', op, args }
    }
    case 'FunctionNode':
      return functionCall(node, args, where)
    default:
      refuse(NODE_WORDS[node.type] ?? node.type, where.start, where.source)
  }
}

function functionCall(node: MathNode, args: Expr[], where: Where): Expr {
  const fn = node.fn as MathNode
  if (fn.type !== 'SymbolNode') refuse('calling the result of an expression', where.start, where.source)
  const name = fn.name!
  const op = callOp(name, args.length)
  if (op) return { kind: 'apply', op, args }
  const offset = where.calls.find((c) => c.name === name)?.offset ?? where.start
  const at = describePosition(where.source, offset)
  const arities = functionArities[name]
  if (arities) {
    const expected = arities.map(String).join(' or ')
    throw new InputError(
      `${name} takes ${expected} argument${arities.join() === '1' ? '' : 's'}, but got ${args.length} (at ${at})`,
      offset,
      where.source,
    )
  }
  unknownFunction(name, offset, where.source)
}

function unknownFunction(name: string, offset: number, source: string): never {
  throw new InputError(
    `unknown function ${name} (at ${describePosition(source, offset)}). ` +
      (looksLikeProduct(source, offset, name) ? `If you meant multiplication, write ${productSuggestion(source, offset, name)}. ` : '') +
      `Supported functions: ${supportedFunctions().join(', ')}`,
    offset,
    source,
  )
}

/** Whether the parenthesis at `open` closes and is followed by a single `=`: f(x) = … */
function isDefinition(source: string, open: number): boolean {
  let depth = 0
  for (let i = open; i < source.length; i++) {
    if (source[i] === '(') depth++
    else if (source[i] === ')' && --depth === 0) {
      const rest = /^[ \t]*=(?!=)/.exec(source.slice(i + 1, i + 64))
      return rest !== null
    } else if (source[i] === '\n' || source[i] === ';') return false
  }
  return false
}

/** w(x+b) is probably a product; import("fs") is not. */
function looksLikeProduct(source: string, offset: number, name: string): boolean {
  return name.length <= 5 && !/["'`]/.test(productSuggestion(source, offset, name))
}

/** `w(x+b)` → `w*(x+b)`: the call's text with a * inserted, shortened when long. */
function productSuggestion(source: string, offset: number, name: string): string {
  const open = source.indexOf('(', offset)
  let depth = 0
  for (let i = open; i >= 0 && i < source.length && i < open + 60; i++) {
    if (source[i] === '(') depth++
    else if (source[i] === ')' && --depth === 0) return `${name}*${source.slice(open, i + 1)}`
  }
  return `${name}*(…)`
}
