// The mathjs boundary: the only module that knows mathjs or its node types. A scan of the raw text
// (parse/scan.ts) refuses unsupported constructs by position first (mathjs nodes carry no
// positions), then mathjs parses each statement (or each statement shape once: parse/shape.ts),
// then its tree is copied into our small Expr type (parse/expr.ts), iteratively (programs can be huge).
import { create, parseDependencies } from 'mathjs/number'
import { LIMITS } from './limits.js'
import { InputError, describePosition, mathjsMessage } from './errors.js'
import { CONSTANTS, callOp, functionArities, type OpId } from './ops.js'
import type { Expr, Program, Statement } from './parse/expr.js'
import { refuse, scan, type Scan } from './parse/scan.js'
import { instantiate, isPlainName, shapeKey, shapeOf, type Shape } from './parse/shape.js'
import { unknownFunction } from './parse/suggest.js'
import type { Syntax } from './parse/syntax.js'

export { foldExpr, type Expr, type Leaf, type Statement, type Program } from './parse/expr.js'

const { parse: mathParse } = create({ parseDependencies: parseDependencies! })

const OPERATORS: Record<string, OpId> = {
  add: 'add',
  subtract: 'sub',
  multiply: 'mul',
  divide: 'div',
  pow: 'pow',
  unaryMinus: 'neg',
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

/**
 * Text as editors save it, read as the tutor reads it: a UTF-8 byte-order mark at the start is
 * dropped, and Windows (CRLF) and old Mac (CR) line endings are newlines.
 */
function editorText(text: string): string {
  const unmarked = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  return unmarked.includes('\r') ? unmarked.replace(/\r\n?/g, '\n') : unmarked
}

/** Parses program text into statements. Throws InputError naming the problem and its position. */
export function parseProgram(text: string): Program {
  const source = editorText(text)
  if (source.length > LIMITS.maxLength) {
    throw new InputError(`the program is ${source.length} characters long; the tutor's limit is ${LIMITS.maxLength} (4 MiB)`)
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
    const from = k === 0 ? 0 : start
    const { key, names } = shapeKey(source, from, end, scanned.slots[k]!)
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

/**
 * mathjs's syntax error as the tutor's, at its position. A line that ends in an operator goes on
 * to the next line, so mathjs finds the slip there ("Invalid left hand side" at the next `=`):
 * it is told at the operator instead.
 */
function syntaxError(error: unknown, source: string, what = ''): InputError {
  const char = (error as { char?: unknown }).char
  let offset = typeof char === 'number' ? Math.max(0, Math.min(char - 1, source.length)) : undefined
  let message = mathjsMessage(error)
  if (offset !== undefined && message.startsWith('Invalid left hand side of assignment')) {
    const before = source.slice(0, source.lastIndexOf('\n', offset) + 1)
    const dangling = /([-+*/^,]|\.[*/^])[ \t]*(?:#[^\n]*)?\n\s*$/.exec(before)
    if (dangling) {
      offset = dangling.index
      message = `the line ends with ${dangling[1]}, which needs an operand after it (an expression goes on past a line break after an operator)`
    }
  }
  return new InputError(`${what}syntax error: ${message}${offset === undefined ? '' : ` at ${describePosition(source, offset)}`}`, offset, source)
}

/** The whole text in one parse: the way mathjs reports a syntax error, with its position in the program. */
function parseWhole(source: string, scanned: Scan): Program {
  let root: MathNode
  try {
    root = mathParse(source) as unknown as MathNode
  } catch (error) {
    if (error instanceof RangeError) {
      throw new InputError('the program is nested too deeply for the parser (long chains of ^ or unary minus); split it into statements')
    }
    throw syntaxError(error, source)
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
      throw new InputError(`cannot assign to ${name} (at ${describePosition(where.source, where.start)}): it is a function name`, where.start, where.source)
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
        throw new InputError(
          `${name} is a function, not a value (at ${describePosition(where.source, offset)}): call it, as in ${name}(x)`,
          offset,
          where.source,
        )
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
  const arities = Object.hasOwn(functionArities, name) ? functionArities[name] : undefined
  if (arities) {
    const expected = arities.map(String).join(' or ')
    throw new InputError(`${name} takes ${expected} argument${arities.join() === '1' ? '' : 's'}, but got ${args.length} (at ${at})`, offset, where.source)
  }
  unknownFunction(name, offset, where.source)
}

/**
 * A tensor program's statements as Syntax (src/tensor/graph.ts builds the graph from it). Throws
 * InputError for a syntax error, with mathjs's message and position; `what` prefixes it.
 */
export function parseSyntax(source: string, what = ''): Syntax[] {
  let root: MathNode
  try {
    root = mathParse(source) as unknown as MathNode
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(`${what}the program is nested too deeply for the parser; split it into statements`)
    throw syntaxError(error, source, what)
  }
  const blocks = root.type === 'BlockNode' ? (root.blocks ?? []).map((b) => b.node) : [root]
  try {
    return blocks.map(toSyntax)
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(`${what}the program is nested too deeply; split it into statements`)
    throw error
  }
}

function toSyntax(node: MathNode): Syntax {
  const all = (nodes: MathNode[] | undefined) => (nodes ?? []).map(toSyntax)
  switch (node.type) {
    case 'ParenthesisNode':
      return toSyntax(node.content!)
    case 'ConstantNode':
      return { kind: 'number', value: node.value }
    case 'SymbolNode':
      return { kind: 'name', name: node.name! }
    case 'ArrayNode':
      return { kind: 'array', items: all((node as unknown as { items: MathNode[] }).items) }
    case 'OperatorNode':
      return { kind: 'operator', fn: node.fn as string, op: (node as unknown as { op: string }).op, args: all(node.args) }
    case 'FunctionNode': {
      const callee = node.fn as MathNode
      return { kind: 'call', name: callee.type === 'SymbolNode' ? callee.name : undefined, args: all(node.args) }
    }
    case 'AccessorNode': {
      const index = node.index as { dimensions?: MathNode[]; dotNotation?: boolean } | undefined
      // A range is read only inside an index, where a slice means it; elsewhere it stays refused.
      const dimension = (d: MathNode): Syntax => {
        if (d.type !== 'RangeNode') return toSyntax(d)
        const r = d as unknown as { start: MathNode; end: MathNode; step: MathNode | null }
        return { kind: 'range', start: toSyntax(r.start), end: toSyntax(r.end), step: r.step ? toSyntax(r.step) : undefined }
      }
      return { kind: 'entry', object: toSyntax(node.object!), index: (index?.dimensions ?? []).map(dimension), dot: Boolean(index?.dotNotation) }
    }
    case 'AssignmentNode': {
      const target = node.object
      const plain = target?.type === 'SymbolNode' && !node.index
      return { kind: 'assign', target: plain ? target.name : undefined, value: toSyntax((node as unknown as { value: MathNode }).value) }
    }
    default:
      return { kind: 'other', type: node.type }
  }
}
