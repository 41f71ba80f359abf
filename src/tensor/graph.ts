// A tensor program → its graph: mathjs parses the text (it is never asked to evaluate it), each
// tensor operation becomes one node (never one per entry), and values flow forward once the
// variables are bound, each node's shape checked where it is made. The same parse reads a value
// such as "randn(784, 128) / 28": a program with no variables.
import { InputError, excerpt } from '../errors.js'
import { LIMITS } from '../limits.js'
import { CONSTANT_VALUES, OPS, callOp, type OpId } from '../ops.js'
import { OUTPUT_NAMES, freePrefix } from '../graph.js'
import { formatNumber } from '../format.js'
import { LAST, TENSOR_FUNCTIONS, TENSOR_OPS, resolve, type Params, type TensorOpId } from './ops.js'
import { checkRank, isScalar, shapeText, size, tensor, type Shape, type Tensor } from './tensor.js'
import { generate, GENERATORS } from './random.js'
import { parseSyntax } from '../parse.js'
import type { Syntax } from '../parse/syntax.js'
import { nearFunction } from '../parse/suggest.js'
import { expandLoops, hasLoop, withoutLoopLines, type Expanded } from './loops.js'

export interface TensorNode {
  /** Unique in the graph: a variable's name, an assigned name (h#1, h#2 when assigned twice), the output's name, t1, t2, … */
  label: string
  kind: 'variable' | 'constant' | 'op'
  op?: TensorOpId
  params: Params
  inputs: number[]
  /** The operation written in its inputs' labels (W·x + b); absent for leaves. */
  expression?: string
  assigned?: string
  /** 1-based statement that made the node (variables: first used in). */
  statement: number
  /** Known for constants at once, for the rest after the forward pass. */
  value?: Tensor
}

export interface TensorGraph {
  source: string
  nodes: TensorNode[]
  output: number
  variables: number[]
  notes: string[]
  /** Names read as loop bounds (for t = 1:T with --T 3): bound values that are not variables. */
  loopBounds?: string[]
  /** For a program with a loop: per statement (1-based statement - 1), the loop step it was expanded from. */
  loopSteps?: Record<string, number>[]
  /** For a program with a loop: per statement, the 1-based statement as written that it was expanded from. */
  loopOrigins?: number[]
}

/** Whether a piece of syntax uses a name anywhere inside it. */
const mentions = (node: unknown, name: string): boolean =>
  typeof node === 'object' &&
  node !== null &&
  (((node as Syntax).kind === 'name' && (node as { name: string }).name === name) || Object.values(node).some((v) => mentions(v, name)))

/**
 * Statement `k` of the graph as a message names it: "statement 3", or in an expanded loop the
 * statement as written and its step, "statement 3 (t = 2)".
 */
/** An index as written, for messages: 2, end, 1:3, : (1:end). */
function indexSyntaxText(d: Syntax): string {
  if (d.kind === 'number') return String(d.value)
  if (d.kind === 'name') return d.name
  if (d.kind === 'range') {
    const [start, end] = [indexSyntaxText(d.start), indexSyntaxText(d.end)]
    if (d.step !== undefined) return `${start}:${indexSyntaxText(d.step)}:${end}`
    return start === '1' && end === 'end' ? ':' : `${start}:${end}`
  }
  if (d.kind === 'operator' && d.args.length === 2) return `${indexSyntaxText(d.args[0]!)} ${d.op} ${indexSyntaxText(d.args[1]!)}`
  if (d.kind === 'operator' && d.args.length === 1) return `${d.op}${indexSyntaxText(d.args[0]!)}`
  return '…'
}

export function statementText(graph: Pick<TensorGraph, 'loopSteps' | 'loopOrigins'>, k: number): string {
  if (!graph.loopOrigins) return `statement ${k}`
  const at = Object.entries(graph.loopSteps?.[k - 1] ?? {})
  return `statement ${graph.loopOrigins[k - 1]}${at.length ? ` (${at.map(([name, t]) => `${name} = ${t}`).join(', ')})` : ''}`
}

const OPERATORS: Record<string, { fn: OpId; written?: string } | 'matmul' | 'transpose' | 'plus' | 'matrix-divide' | 'matrix-power'> = {
  add: { fn: 'add' },
  subtract: { fn: 'sub' },
  unaryMinus: { fn: 'neg' },
  unaryPlus: 'plus',
  dotMultiply: { fn: 'mul', written: '.*' },
  dotDivide: { fn: 'div', written: './' },
  dotPow: { fn: 'pow', written: '.^' },
  multiply: 'matmul',
  divide: 'matrix-divide',
  pow: 'matrix-power',
  ctranspose: 'transpose',
  transpose: 'transpose',
}

/**
 * Comparisons, in an answer only (a rule typed in the quiz, a claim): `z > 0` is relu's mask, 1
 * where it holds and 0 elsewhere. [a > b] is step(a - b); `>=` is 1 - [b > a]. Programs do not
 * take them: a comparison's gradient is 0 wherever it is defined.
 */
const COMPARISONS: Record<string, { swap: boolean; complement: boolean }> = {
  larger: { swap: false, complement: false },
  smaller: { swap: true, complement: false },
  largerEq: { swap: true, complement: true },
  smallerEq: { swap: false, complement: true },
}

/** Parses a tensor program into its graph (values not yet bound). */
export function buildTensorGraph(
  text: string,
  options: { seed: number; constantsOnly?: string; inline?: boolean; bindings?: Record<string, string>; owner?: string } = { seed: 0 },
): TensorGraph {
  const written = text.charCodeAt(0) === 0xfeff ? text.slice(1).replace(/\r\n?/g, '\n') : text.replace(/\r\n?/g, '\n')
  if (written.length > LIMITS.maxLength)
    throw new InputError(`the program is ${written.length} characters long; the tutor's limit is ${LIMITS.maxLength} (4 MiB)`)
  // Nothing but spaces and comments, as the scalar parser says it (mathjs would read undefined).
  if (!options.constantsOnly && !options.inline && !/\S/.test(written.replace(/#[^\n]*/g, '')))
    throw new InputError('the program is empty: give an expression such as "(x*w+b-y)^2"')
  // A loop is expanded into its steps' statements first: the graph never sees it.
  const loops = !options.inline && !options.constantsOnly && hasLoop(written) ? expandLoops(written, options.bindings) : undefined
  // A syntax error in a loop's body is told at the line and column written, not those of its expansion.
  if (loops) {
    try {
      parseSyntax(withoutLoopLines(written), '')
    } catch (error) {
      // Blanking keeps every offset, so the caret points into the program as written.
      if (error instanceof InputError) throw new InputError(error.message, error.offset, written)
      throw error
    }
  }
  const source = loops?.source ?? written
  const blocks = parseSyntax(source, options.constantsOnly ? `${options.constantsOnly}: ` : '')
  if (blocks.length === 0) throw new InputError('the program is empty')
  try {
    const graph = new Builder(source, options.seed, options.constantsOnly, options.inline, loops, options.owner).build(blocks)
    if (loops) {
      Object.assign(graph, { loopBounds: loops.bounds, loopSteps: loops.steps, loopOrigins: loops.origins })
      graph.notes.unshift(...loops.notes)
    }
    return graph
  } catch (error) {
    if (error instanceof RangeError) throw new InputError('the program is nested too deeply; split it into statements')
    throw error
  }
}

class Builder {
  readonly nodes: TensorNode[] = []
  readonly variables: number[] = []
  readonly notes: string[] = []
  private readonly env = new Map<string, number>()
  private readonly assignments = new Map<string, number[]>()
  private statement = 0

  constructor(
    readonly source: string,
    readonly seed: number,
    /** Set when reading a value: what it is bound to, for messages; no variables allowed. */
    readonly constantsOnly?: string,
    /** An answer or a claim's value: its operations are named by what they compute, never t1 (a program's own names). */
    readonly inline = false,
    /** For an expanded loop: the step (loop name → value) each statement belongs to, and the statement written. */
    readonly loops?: Pick<Expanded, 'steps' | 'origins'>,
    /** A value's variable: rand and randn draw from SEED:NAME (then SEED:NAME#2 for a second draw in the value), whatever its spelling. */
    readonly owner?: string,
  ) {}

  /** Draws so far in this value, so that randn(2) - randn(2) is two draws, not one twice. */
  private draws = 0

  /** Who a draw of rand or randn belongs to: the value's variable (its k-th draw past the first as NAME#k), or the statement written. */
  private drawOwner(): string {
    if (this.owner === undefined) return this.constantsOnly ?? this.statementText(this.statement)
    this.draws++
    return this.draws === 1 ? this.owner : `${this.owner}#${this.draws}`
  }

  private get steps(): Record<string, number>[] | undefined {
    return this.loops?.steps
  }

  private statementText(k: number): string {
    return statementText({ loopSteps: this.loops?.steps, loopOrigins: this.loops?.origins }, k)
  }

  build(blocks: Syntax[]): TensorGraph {
    let output = -1
    blocks.forEach((block, k) => {
      this.statement = k + 1
      const isLast = k === blocks.length - 1
      if (block.kind === 'assign') {
        if (this.constantsOnly) this.fail('a value is one expression, not an assignment')
        if (block.target === undefined) this.fail('only plain names can be assigned (no A[1] = …)')
        const name = block.target
        if (Object.hasOwn(CONSTANT_VALUES, name) || Object.hasOwn(TENSOR_FUNCTIONS, name) || callOp(name, 1) || callOp(name, 2))
          this.fail(`cannot assign to ${name}: it is a ${Object.hasOwn(CONSTANT_VALUES, name) ? 'constant' : 'function name'}`)
        const firstNew = this.nodes.length
        let result = this.expr(block.value)
        // A new operation takes the name; an alias (a = x, a = 2) gets an identity node so it can be named.
        if (result < firstNew || this.nodes[result]!.kind !== 'op') {
          result = this.add({ kind: 'op', op: 'elementwise', params: { fn: 'identity' }, inputs: [result] })
        }
        const list = this.assignments.get(name) ?? []
        list.push(result)
        this.assignments.set(name, list)
        this.env.set(name, result)
        if (isLast) output = result
      } else {
        if (this.constantsOnly && blocks.length > 1) this.fail('a value is one expression, not several statements')
        const result = this.expr(block)
        if (isLast) output = result
        else this.notes.push(`${this.statementText(k + 1)} is neither assigned nor the last statement, so it does not affect the output`)
      }
    })
    return this.finish(output)
  }

  private fail(message: string): never {
    const where =
      this.constantsOnly ??
      (this.inline ? 'the expression' : this.source.includes('\n') || this.source.includes(';') ? this.statementText(this.statement) : 'the program')
    // Inside an index, the entry as written (statement 2, X[:, 0]), as the shape checks name theirs.
    const at = this.indexing === undefined ? where : where === 'the program' ? this.indexing : `${where}, ${this.indexing}`
    throw new InputError(`${at}: ${message}`)
  }

  /** The entry whose indexes are being read (X[:, 0]), for the messages about them. */
  private indexing: string | undefined

  private add(node: Omit<TensorNode, 'label' | 'statement'>): number {
    if (this.nodes.length >= LIMITS.maxTensorNodes) this.fail(`more than ${LIMITS.maxTensorNodes} tensor operations; the tutor's limit for a tensor program`)
    this.nodes.push({ ...node, label: '', statement: this.statement })
    return this.nodes.length - 1
  }

  private constant(value: Tensor, label?: string): number {
    checkRank(value.shape, label ?? 'a constant')
    return this.add({ kind: 'constant', params: {}, inputs: [], value, ...(label ? { expression: label } : {}) })
  }

  /** One operation on `inputs`; folded to a constant when every input is one. */
  private apply(op: TensorOpId, params: Params, inputs: number[]): number {
    const nodes = inputs.map((i) => this.nodes[i]!)
    if (nodes.every((n) => n.kind === 'constant')) {
      const value = this.fold(
        op,
        params,
        nodes.map((n) => n.value!),
        'a constant',
      )
      // A constant keeps the program's words for it (sqrt(2), -1, [1, 2] .* 3) while they are short.
      const infix = op === 'matmul' || (op === 'elementwise' && OPS[params.fn!].notation.kind !== 'call')
      const written = TENSOR_OPS[op].write(
        nodes.map((n) => {
          const text = n.expression ?? constantText(n.value!)
          // An operand that is itself an operation is bracketed: max(2, 2) ./ (1 - 1), never … ./ 1 - 1.
          return infix && topLevelSpace(text) ? `(${text})` : text
        }),
        params,
      )
      // The inputs were made for this operation alone: they are replaced by its value.
      if (inputs.every((i) => i >= this.nodes.length - inputs.length)) this.nodes.length = Math.min(...inputs)
      return this.constant(value, written.length <= 24 ? written.replace(/^-\(?(\d[\d.]*)\)?$/, '-$1') : undefined)
    }
    return this.add({ kind: 'op', op, params, inputs })
  }

  /** An operation's value, its operands' shapes checked first. */
  fold(id: TensorOpId, given: Params, xs: Tensor[], what: string): Tensor {
    const { op, params } = resolve(
      id,
      given,
      xs.map((x) => x.shape),
    )
    const shape = TENSOR_OPS[op].shape(
      xs.map((x) => x.shape),
      params,
    )
    if (typeof shape === 'string') this.fail(`${what}: ${shape}`)
    checkRank(shape as Shape, what)
    return TENSOR_OPS[op].forward(xs, params)
  }

  private expr(node: Syntax): number {
    switch (node.kind) {
      case 'number':
        if (typeof node.value === 'string') this.fail(`strings ("${excerpt(node.value)}") are not part of the language`)
        // A student's value (inline) may copy the Infinity or NaN the tutor printed; a program may not.
        if (typeof node.value !== 'number' || (!this.inline && !Number.isFinite(node.value))) this.fail(`${String(node.value)} is not a finite number`)
        return this.constant(tensor([], [node.value as number]))
      case 'name':
        return this.symbol(node.name)
      case 'array':
        return this.constant(this.array(node))
      case 'operator':
        return this.operator(node)
      case 'call':
        return this.call(node)
      case 'entry':
        return this.entry(node)
      case 'assign':
        return this.fail('an assignment inside an expression is not part of the language; write it as its own statement')
      case 'range':
        return this.fail('a range (a:b) is part of the language only inside an index, as a slice: X[1, :], X[2:3, 1]')
      case 'other':
        return this.fail(`${describe(node.type)} are not part of the language (it has operators, functions, entries A[i, j] and array literals)`)
    }
  }

  private symbol(name: string): number {
    const bound = this.env.get(name)
    if (bound !== undefined) return bound
    if (Object.hasOwn(CONSTANT_VALUES, name)) {
      const index = this.constant(tensor([], [CONSTANT_VALUES[name]!]))
      this.nodes[index]!.expression = name
      return index
    }
    if (Object.hasOwn(TENSOR_FUNCTIONS, name) || callOp(name, 1) || callOp(name, 2) || Object.hasOwn(GENERATORS, name))
      this.fail(`${name} is a function: call it, as in ${name}(x)`)
    if (this.constantsOnly) this.fail(`a value is a constant expression; it cannot use the name ${name}`)
    const index = this.add({ kind: 'variable', params: {}, inputs: [] })
    this.nodes[index]!.label = name
    this.env.set(name, index)
    this.variables.push(index)
    return index
  }

  /** An array literal: numbers, or rows of numbers of one length. */
  private array(node: Syntax & { kind: 'array' }): Tensor {
    const items = node.items
    if (items.length === 0) this.fail('an empty array has no entries')
    const nested = items.map((item) => (item.kind === 'array' ? this.array(item) : this.constantValue(item)))
    const inner = nested[0]!.shape
    if (inner.length >= 2) this.fail('array literals have at most two levels of brackets (a matrix)')
    if (nested.some((t) => t.shape.join() !== inner.join()))
      this.fail(`the rows of an array literal must have one length (they have ${nested.map((t) => shapeText(t.shape)).join(', ')} entries)`)
    const data = new Float64Array(nested.length * size(inner))
    nested.forEach((t, k) => data.set(t.data, k * size(inner)))
    return tensor([nested.length, ...inner], data)
  }

  /** An entry of an array literal: a number, or a constant expression of numbers. */
  private constantValue(node: Syntax): Tensor {
    const start = this.nodes.length
    const index = this.expr(node)
    const made = this.nodes[index]!
    if (made.kind !== 'constant') this.fail('the entries of an array literal are numbers (or constant expressions such as -1/2)')
    this.nodes.length = start
    return made.value!
  }

  private operator(node: Syntax & { kind: 'operator' }): number {
    const kind = Object.hasOwn(OPERATORS, node.fn) ? OPERATORS[node.fn] : undefined
    const args = node.args
    if (kind === undefined && this.inline && Object.hasOwn(COMPARISONS, node.fn)) return this.comparison(COMPARISONS[node.fn]!, args)
    if (kind === undefined) this.fail(`the operator ${node.op} is not part of the language`)
    if (kind === 'plus') return this.expr(args[0]!)
    const inputs = args.map((a) => this.expr(a))
    if (kind === 'matmul') {
      // mathjs's * scales when either side is a scalar, else it is the matrix product.
      return this.apply('matmul', { written: '*' }, inputs)
    }
    if (kind === 'matrix-divide') return this.apply('elementwise', { fn: 'div', written: '/' }, inputs)
    if (kind === 'matrix-power') return this.apply('elementwise', { fn: 'pow', written: '^' }, inputs)
    if (kind === 'transpose') return this.apply('transpose', { written: "'", ...(this.inline ? { row: true } : {}) }, inputs)
    return this.apply('elementwise', { fn: kind.fn, ...(kind.written ? { written: kind.written } : {}) }, inputs)
  }

  private comparison({ swap, complement }: (typeof COMPARISONS)[string], args: Syntax[]): number {
    const [a, b] = args.map((arg) => this.expr(arg)) as [number, number]
    const holds = this.apply('elementwise', { fn: 'step' }, [this.apply('elementwise', { fn: 'sub' }, swap ? [b, a] : [a, b])])
    return complement ? this.apply('elementwise', { fn: 'sub' }, [this.constant(tensor([], [1])), holds]) : holds
  }

  private call(node: Syntax & { kind: 'call' }): number {
    if (node.name === undefined) this.fail('only named functions can be called')
    const name = node.name
    const args = node.args
    if (Object.hasOwn(GENERATORS, name)) {
      const dims = args.map((a) => this.integer(a, `a size of ${name}`, 1))
      return this.constant(
        generate(name, dims, this.seed, this.drawOwner(), (m) => this.fail(m)),
        `${name}(${dims.join(', ')})`,
      )
    }
    const tensorFunction = Object.hasOwn(TENSOR_FUNCTIONS, name) ? TENSOR_FUNCTIONS[name] : undefined
    if (tensorFunction) {
      if (!tensorFunction.arities.includes(args.length)) this.fail(`${name} takes ${tensorFunction.arities.join(' or ')} arguments, not ${args.length}`)
      if (tensorFunction.integers) {
        const { after, names } = tensorFunction.integers
        const params: Params = {}
        args.slice(after).forEach((arg, k) => {
          const name = names[k]!
          const what = `the ${name === 'size' ? 'window size' : name} of ${node.name}`
          params[name] = this.integer(arg, what, name === 'padding' ? 0 : 1)
        })
        return this.apply(
          tensorFunction.op,
          params,
          args.slice(0, after).map((a) => this.expr(a)),
        )
      }
      if (tensorFunction.dim && args.length === 2) {
        const dim = this.integer(args[1]!, `the dimension of ${name}`, 1) - 1
        return this.apply(tensorFunction.op, { dim }, [this.expr(args[0]!)])
      }
      return this.apply(
        tensorFunction.op,
        tensorFunction.named ? { written: name } : {},
        args.map((a) => this.expr(a)),
      )
    }
    if ((name === 'max' || name === 'min') && args.length === 1) return this.apply(name === 'max' ? 'maxall' : 'minall', {}, [this.expr(args[0]!)])
    const op = callOp(name, args.length)
    if (op)
      return this.apply(
        'elementwise',
        { fn: op },
        args.map((a) => this.expr(a)),
      )
    if (callOp(name, 1) || callOp(name, 2)) this.fail(`${name} takes ${callOp(name, 1) ? 1 : 2} argument${callOp(name, 1) ? '' : 's'}, not ${args.length}`)
    const known = [...Object.keys(TENSOR_FUNCTIONS), ...Object.keys(GENERATORS), 'max', 'min', ...Object.values(OPS).flatMap((o) => (o.call ? [o.call] : []))]
    const near = nearFunction(name, [...new Set(known)])
    this.fail(`unknown function ${name}${near ? ` (did you mean ${near}?)` : ''}; the functions are ${[...new Set(known)].join(', ')}`)
  }

  private entry(node: Syntax & { kind: 'entry' }): number {
    if (node.dot) this.fail('property access (a.b) is not part of the language')
    this.indexing = `${node.object.kind === 'name' ? node.object.name : '(…)'}[${node.index.map(indexSyntaxText).join(', ')}]`
    try {
      return this.entryOf(node)
    } finally {
      this.indexing = undefined
    }
  }

  private entryOf(node: Syntax & { kind: 'entry' }): number {
    if (node.index.some((d) => d.kind === 'range')) {
      // A slice: each dimension a range a:b (1-based, inclusive, as mathjs; `end` its last) or one index.
      const ranges = node.index.map((d): [number, number] => {
        if (d.kind !== 'range') {
          const i = this.index(d, 'an index')
          return [i, i]
        }
        if (d.step) this.fail('a slice with a step (a:s:b) is not part of the language; take a:b')
        return [this.index(d.start, 'the start of a slice'), this.index(d.end, 'the end of a slice')]
      })
      return this.apply('slice', { ranges }, [this.exprOutsideIndex(node.object)])
    }
    const index = node.index.map((d) => this.index(d, 'an index'))
    return this.apply('entry', { index }, [this.exprOutsideIndex(node.object)])
  }

  /** The indexed value itself is no index: its own messages name its statement alone. */
  private exprOutsideIndex(node: Syntax): number {
    const indexing = this.indexing
    this.indexing = undefined
    try {
      return this.expr(node)
    } finally {
      this.indexing = indexing
    }
  }

  /** A 0-based index from a whole number written from 1, or LAST for mathjs's `end` (end - 1 and the like are refused). */
  private index(node: Syntax, what: string): number {
    if (node.kind === 'name' && node.name === 'end') return LAST
    if (mentions(node, 'end')) this.fail(`${what} is a whole number from 1 or end; arithmetic on end (end - 1) is not part of the language`)
    return this.integer(node, what, 1) - 1
  }

  /** A whole number written in the program (a size, a dimension, an index). */
  private integer(node: Syntax, what: string, least: number): number {
    const start = this.nodes.length
    const index = this.expr(node)
    const made = this.nodes[index]!
    this.nodes.length = start
    const value = made.kind === 'constant' && isScalar(made.value!) ? made.value!.data[0]! : NaN
    if (made.kind !== 'constant') this.fail(`${what} is a number written in the program, not computed from a variable`)
    if (!isScalar(made.value!)) this.fail(`${what} is one number, not an array`)
    if (!Number.isInteger(value) || value < least)
      this.fail(`${what} is a whole number from ${least}, not ${formatNumber(value)}${what === 'an index' ? ' (indexes start at 1, as in mathjs)' : ''}`)
    return value
  }

  /**
   * A name assigned once per step of a loop is named by the step (h#1, h#2, h#3 for t = 1:3), and
   * its one assignment before the loop #0; undefined (numbered in order) where that is ambiguous.
   */
  private stepLabels(name: string, list: number[]): string[] | undefined {
    if (!this.steps || list.length < 2) return undefined
    const steps = list.map((index) => {
      const at = this.steps![this.nodes[index]!.statement - 1] ?? {}
      const values = Object.values(at)
      return values.length === 0 ? 0 : values.length === 1 ? values[0]! : NaN
    })
    const inLoop = steps.filter((_, k) => Object.keys(this.steps![this.nodes[list[k]!]!.statement - 1] ?? {}).length > 0)
    if (inLoop.length === 0 || steps.some(Number.isNaN) || new Set(steps).size !== steps.length) return undefined
    return steps.map((t) => `${name}#${t}`)
  }

  private finish(output: number): TensorGraph {
    const { nodes } = this
    const names = new Set([...this.env.keys()])
    for (const [name, list] of this.assignments) {
      const numbered = list.length > 1 || this.variables.some((v) => nodes[v]!.label === name)
      const byStep = this.stepLabels(name, list)
      list.forEach((index, k) => {
        nodes[index]!.label = byStep?.[k] ?? (numbered ? `${name}#${k + 1}` : name)
        nodes[index]!.assigned = name
      })
    }
    const out = nodes[output]!
    if (out.label === '' && out.kind === 'op' && !this.inline) out.label = OUTPUT_NAMES.find((n) => !names.has(n)) ?? `${freePrefix(['L'], names)}1`
    const prefix = freePrefix(['t', 'n', 'u', 'v'], names)
    let ops = 0
    let constants = 0
    for (const node of nodes) {
      if (node.kind === 'op' && node.label === '' && this.inline) {
        const written = TENSOR_OPS[node.op!].write(
          node.inputs.map((i) => nodes[i]!.label),
          node.params,
        )
        node.label = /^[\p{L}_$][\p{L}\p{N}_$]*\(.*\)$/u.test(written) ? written : `(${written})`
      }
      if (node.kind === 'op' && node.label === '') node.label = `${prefix}${++ops}`
      if (node.kind === 'constant') {
        const v = node.value!
        node.label = node.expression ?? (isScalar(v) ? formatNumber(v.data[0]!) : size(v.shape) <= 6 ? literalText(v) : `c${++constants}`)
        delete node.expression
      }
    }
    for (const node of nodes) {
      if (node.kind === 'op')
        node.expression = TENSOR_OPS[node.op!].write(
          node.inputs.map((i) => nodes[i]!.label),
          node.params,
        )
    }
    return { source: this.source, nodes, output, variables: this.variables, notes: this.notes }
  }
}

/** A constant as the program would write it: 2, [1, 2, 3], or a name for a big one. */
const constantText = (t: Tensor) => (isScalar(t) ? formatNumber(t.data[0]!) : literalText(t))

/** [1, 2, 3] or [[1, 2], [3, 4]]. */
export function literalText(t: Tensor): string {
  if (t.shape.length === 1) return `[${Array.from(t.data, (x) => formatNumber(x)).join(', ')}]`
  const [rows, cols] = t.shape as [number, number]
  return `[${Array.from({ length: rows }, (_, i) => `[${Array.from(t.data.subarray(i * cols, (i + 1) * cols), (x) => formatNumber(x)).join(', ')}]`).join(', ')}]`
}

function describe(type: string): string {
  return (
    {
      ObjectNode: 'objects',
      FunctionAssignmentNode: 'function definitions',
      ConditionalNode: 'conditionals (a ? b : c)',
      RangeNode: 'ranges (a:b)',
      RelationalNode: 'comparisons',
      IndexNode: 'indexes',
    }[type] ?? type
  )
}

/** Whether a written expression has a space outside its brackets (an infix operation: 1 - 1, not max(2, 2)). */
function topLevelSpace(text: string): boolean {
  let depth = 0
  for (const c of text) {
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (c === ' ' && depth === 0) return true
  }
  return false
}
