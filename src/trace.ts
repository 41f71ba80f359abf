// Graph + bindings → Trace: the forward pass, every edge's local derivative from the op table, and
// the backward pass in reverse topological order seeded with 1, keeping every contribution
// (micrograd's `for v in reversed(topo): v._backward()`, with each `+=` recorded).
import { LIMITS } from './limits.js'
import { InputError } from './errors.js'
import type { Graph, GraphNode, NodeKind } from './graph.js'
import { CONSTANT_VALUES, OPS, isKinkConvention, type Convention, type Rule } from './ops.js'
import { E, S, TOO_LONG, apply, isNumber, isTooLong, tooLong, type Sym } from './sym.js'
import { checkGradients, type Check } from './check.js'

/** A graph node (id, label, kind, op, assigned, inputs: see GraphNode) with what the passes found. */
export interface TraceNode extends Pick<GraphNode, 'id' | 'label' | 'kind' | 'op' | 'assigned' | 'inputs' | 'exact'> {
  /** The operation written in terms of its inputs' labels (t1 + b); absent for leaves. */
  expression?: Sym
  /** Forward value: a number, or an expression in the unbound variables. */
  value: Sym
  /** d(output)/d(node): the sum of `contributions`; null where the node depends on no variable. */
  grad: Sym | null
  /** Edge indexes whose contributions sum to `grad`, in the order the backward pass adds them. */
  contributions: number[]
  /** Whether the output depends on this node at all. */
  onPath: boolean
}

export interface TraceEdge {
  /** Index into Trace.nodes of the input (the node the gradient flows to). */
  from: number
  /** Index into Trace.nodes of the consumer (the node the gradient flows from). */
  to: number
  /** Which argument of `to` this input is (x*x has two edges from x). */
  slot: number
  rule: Rule
  /** d(to)/d(from) in terms of the inputs' labels: d(t3^2)/dt3 = 2*t3. */
  local: Sym
  /** The same at the bound values. */
  localValue: Sym
  /** d(output)/d(to), the gradient arriving from above. */
  upstream: Sym
  /** upstream × localValue: what this edge adds to d(output)/d(from). */
  contribution: Sym
}

export type FlagKind = 'nan' | 'infinite' | 'non-differentiable'

/**
 * What a flag says, as a code; src/steps/words.ts writes it out from the trace's own numbers.
 * `value`: the node's value is first non-finite here, from finite inputs; `local`: an edge's local
 * derivative is non-finite at finite inputs; `contribution`: upstream × local is non-finite though
 * the upstream is finite; `sum`: a node's gradient is non-finite though each contribution is finite;
 * `convention`: a non-differentiable point, where the op's `convention` decides; `select`: a
 * non-finite upstream passed on as 0 by an op that selects its branch (relu, max, min);
 * `indeterminate`: a contribution that is ∞·0 (NaN, as in PyTorch); `through`: a variable's finite
 * gradient taken through a node whose value is NaN or infinite (`through`), so the output has no
 * value near the variable and the number is not its derivative.
 */
export type FlagCode = 'value' | 'local' | 'contribution' | 'sum' | 'convention' | 'select' | 'indeterminate' | 'through'

export interface Flag {
  kind: FlagKind
  pass: 'forward' | 'backward'
  code: FlagCode
  /** Index into Trace.nodes. */
  node: number
  /** Index into Trace.edges, for flags on a local derivative or a contribution. */
  edge?: number
  /** For code `convention`: which one. */
  convention?: Convention
  /** For code `through`: the node, on a path from the variable to the output, whose value is not finite. */
  through?: number
}

/** Every path from the output down to one variable, with the product of its local derivatives. */
export interface Chain {
  variable: string
  /** Number of paths from the output to the variable (a float: it can grow exponentially). */
  count: number
  /**
   * Each path as edge indexes from the output down to the variable; absent past the caps. The
   * product is taken as the backward pass takes it: `selected`, the edge where a selecting op
   * (relu, max, min, pow's mask) passed 0 from an infinite or NaN running product.
   */
  paths?: { edges: number[]; product: Sym; selected?: number }[]
}

export interface Trace {
  source: string
  nodes: TraceNode[]
  /** Every edge, grouped by consumer in topological order, then by argument. */
  edges: TraceEdge[]
  /** Edge indexes in the order the backward pass visits them (consumers on the output's path only). */
  backward: number[]
  /** Index into nodes of the output. */
  output: number
  /** The output's value (same as nodes[output].value). */
  value: Sym
  /** d(output)/d(variable) for every variable, in order of first use. */
  gradients: { name: string; node: number; grad: Sym }[]
  bindings: Record<string, number>
  unbound: string[]
  /** Per variable, the chain-rule products along every path (sections ⑤ of the tutor view). */
  chains: Chain[]
  checks: Check[]
  flags: Flag[]
  notes: string[]
}

/** How a node appears inside an expression: literal numbers as numbers, pi, e and the rest by label. */
export function operandSym(node: { kind: NodeKind; label: string; value?: Sym; constant?: number; exact?: Sym }): Sym {
  if (node.exact !== undefined) return node.exact
  const value = node.constant ?? node.value
  return node.kind === 'constant' && value !== undefined && isNumber(value) && !Object.hasOwn(CONSTANT_VALUES, node.label) ? value : { name: node.label }
}

/** What a trace computes besides values and gradients; a training step needs neither. */
export interface TraceOptions {
  /** List the chain-rule products per variable (default true; otherwise `chains` is empty). */
  chains?: boolean
  /** Check every gradient against finite differences (default true; otherwise `checks` is empty). */
  checks?: boolean
}

export function trace(graph: Graph, bindings: Record<string, number>, options: TraceOptions = {}): Trace {
  refuseSymbolicPast(graph, bindings)
  const forward = forwardPass(graph, bindings)
  const { nodes, edges, flags } = forward
  markOnPath(graph, nodes)
  const backward = backwardPass(graph, forward)
  sumsAndOffPath(forward)
  flagThrough(graph, nodes, flags)
  const gradients = graph.variables.map((i) => ({ name: graph.nodes[i]!.id, node: i, grad: nodes[i]!.grad ?? 0 }))
  const unbound = graph.variables.map((i) => graph.nodes[i]!.id).filter((name) => !Object.hasOwn(bindings, name))
  // Keyed by the program's names (__proto__, constructor, …): an object with no prototype.
  const usedBindings: Record<string, number> = Object.create(null)
  for (const i of graph.variables) {
    const name = graph.nodes[i]!.id
    if (Object.hasOwn(bindings, name)) usedBindings[name] = bindings[name]!
  }
  const partial: Omit<Trace, 'checks'> = {
    source: graph.source,
    nodes,
    edges,
    backward,
    output: graph.output,
    value: forward.values[graph.output]!,
    gradients,
    bindings: usedBindings,
    unbound,
    chains: options.chains === false ? [] : chains(graph, nodes, edges, backward, forward.values),
    flags,
    notes: [...graph.notes],
  }
  return { ...partial, checks: options.checks === false ? [] : checkGradients(graph, partial) }
}

/**
 * A program with a variable left without a value is traced in expressions, which take several
 * times the time and memory of numbers (LIMITS.maxSymbolicNodes says how much): past that size it
 * is refused before the trace, naming the variables to bind.
 */
function refuseSymbolicPast(graph: Graph, bindings: Record<string, number>): void {
  if (graph.nodes.length <= LIMITS.maxSymbolicNodes) return
  const unbound = graph.variables.map((i) => graph.nodes[i]!.id).filter((name) => !Object.hasOwn(bindings, name))
  if (unbound.length === 0) return
  const named = unbound.length > 3 ? `${unbound.slice(0, 3).join(', ')} and ${unbound.length - 3} more` : unbound.join(', ')
  throw new InputError(
    `the program has ${graph.nodes.length} nodes and no value for ${named}; a trace in symbols (every value and gradient an expression) ` +
      `takes at most ${LIMITS.maxSymbolicNodes} nodes: give every variable a value (--${unbound[0]} VALUE …) for a numeric trace, which takes up to ${LIMITS.maxNodes}`,
  )
}

/** The contributions of every node that has none, shared (a node's own list is made with its first). */
const NO_CONTRIBUTIONS: number[] = Object.freeze([]) as unknown as number[]

/** What the forward pass leaves for the backward one. */
interface Forward {
  nodes: TraceNode[]
  edges: TraceEdge[]
  flags: Flag[]
  values: Sym[]
  /** PyTorch's requires_grad: whether a node depends on a variable. */
  requiresGrad: Uint8Array
  /** Edges are made consumer by consumer, so node i's edges are firstEdge[i] … firstEdge[i + 1] - 1. */
  firstEdge: Int32Array
  /** Where some variable is symbolic: each edge's local derivative in the program's names. */
  namedLocals?: Sym[]
}

/** Every node's value, and each op's local derivatives as soon as its inputs' values are known. */
function forwardPass(graph: Graph, bindings: Record<string, number>): Forward {
  const n = graph.nodes.length
  const values: Sym[] = new Array(n)
  const requiresGrad = new Uint8Array(n)
  const nodes: TraceNode[] = []
  const edges: TraceEdge[] = []
  const firstEdge = new Int32Array(n + 1)
  const flags: Flag[] = []
  // Each node's operand form ({ name: 't3' } or a literal), made once and shared by its consumers.
  const operands: Sym[] = graph.nodes.map((node) => operandSym(node))
  const forms = new Forms(graph, values, operands)
  for (let i = 0; i < n; i++) {
    const node = graph.nodes[i]!
    const traced: TraceNode = {
      id: node.id,
      label: node.label,
      kind: node.kind,
      inputs: node.inputs,
      value: 0,
      grad: null,
      contributions: NO_CONTRIBUTIONS,
      onPath: false,
    }
    firstEdge[i] = edges.length
    if (node.kind === 'variable') {
      traced.value = Object.hasOwn(bindings, node.id) ? bindings[node.id]! : { name: node.id }
      requiresGrad[i] = 1
    } else if (node.kind === 'constant') {
      traced.value = node.constant!
      if (node.exact !== undefined) traced.exact = node.exact
    } else {
      const op = node.op!
      const args = node.inputs.map((j) => values[j]!)
      const labels = node.inputs.map((j) => operands[j]!)
      traced.op = op
      if (node.assigned) traced.assigned = node.assigned
      traced.expression = { op, args: labels }
      traced.value = forms.value(i, args, requiresGrad)
      requiresGrad[i] = node.inputs.some((j) => requiresGrad[j]) ? 1 : 0
      if (isNumber(traced.value) && !Number.isFinite(traced.value) && args.every(finite)) {
        flags.push({ kind: Number.isNaN(traced.value) ? 'nan' : 'infinite', pass: 'forward', code: 'value', node: i })
      }
      // Local derivatives, for inputs that depend on a variable (PyTorch's requires_grad).
      const numeric = args.every(isNumber)
      const marked = usedTwice(node.inputs) ? markUses(node.inputs, labels) : undefined
      node.inputs.forEach((j, slot) => {
        if (!requiresGrad[j]) return
        const input = OPS[op].inputs[slot]!
        const local = marked ? unmark(input.local(E, marked)) : input.local(E, labels)
        const localValue = numeric ? input.local(S, args) : short(input.local(E, forms.exactArgs(i)))
        if (!numeric) forms.namedLocals[edges.length] = forms.inNames(i, (xs) => input.local(E, xs), localValue)
        // NaN until the backward pass: a double from the start, so that V8 never has to migrate
        // every edge object when the field first holds a fractional number (measured: 15,000
        // migrations on a 10,000-operation program). Edges off the output's path get 0 below.
        edges.push({ from: j, to: i, slot, rule: input.rule, local, localValue, upstream: NaN, contribution: NaN })
      })
    }
    forms.settle(i, traced)
    nodes.push(traced)
  }
  firstEdge[n] = edges.length
  return { nodes, edges, flags, values, requiresGrad, firstEdge, ...(forms.symbolic ? { namedLocals: forms.namedLocals } : {}) }
}

/** An expression as it is shown: itself while it has at most LIMITS.maxSymTerms terms, else TOO_LONG. */
const short = (s: Sym): Sym => (isNumber(s) || !tooLong(s) ? s : TOO_LONG)

/**
 * The forms of each node's value where some variable is symbolic. `exact`: what a consumer
 * computes with (pi and e by name, 1/3 exact, and a value too long to write by the program's name
 * for it). `named`: the node in the program's names (an assigned node by its name, an unnamed one
 * as its operation on those), the form a value or gradient falls back to when written out in the
 * variables it would be too long: b = a² + a, ∂loss/∂z1·w11.
 */
class Forms {
  private readonly exact: (Sym | undefined)[]
  private readonly named: Sym[]
  readonly namedLocals: Sym[] = []
  symbolic = false

  constructor(
    private readonly graph: Graph,
    private readonly values: Sym[],
    operands: Sym[],
  ) {
    // Every constant has its exact form, so that log(2) stays log(2) next to a symbol.
    this.exact = graph.nodes.map((node, i) => (node.kind === 'constant' ? operands[i] : undefined))
    this.named = new Array(graph.nodes.length)
  }

  exactArgs = (i: number) => this.graph.nodes[i]!.inputs.map((j) => this.exact[j] ?? this.values[j]!)
  namedArgs = (i: number) => this.graph.nodes[i]!.inputs.map((j) => this.named[j] ?? this.exact[j] ?? this.values[j]!)

  /** Node i's value: a double where its inputs are numbers, else its canonical form, short or in names. */
  value(i: number, args: Sym[], requiresGrad: Uint8Array): Sym {
    const node = this.graph.nodes[i]!
    const numeric = args.every(isNumber)
    const exactInputs = node.inputs.some((j) => this.exact[j] !== undefined)
    if (numeric) {
      // A constant expression keeps its exact form (2·pi) for consumers that are symbolic, while it
      // is short enough to write; sin(sin(…(pi)…)) gives way to its number.
      if (exactInputs && node.inputs.every((j) => !requiresGrad[j])) {
        const exact = E.apply(node.op!, this.exactArgs(i))
        if (isNumber(exact) || !tooLong(exact)) this.exact[i] = exact
      }
      return apply(node.op!, args)
    }
    this.symbolic = true
    const exactArgs = this.exactArgs(i)
    const value = exactInputs ? E.apply(node.op!, exactArgs) : apply(node.op!, args)
    // Where no input has a name of its own, the value is already in the program's names.
    const inNames = this.inNames(i, (xs) => E.apply(node.op!, xs), value)
    this.named[i] = isProgramName(node) ? { name: node.label } : inNames
    if (isNumber(value) || !tooLong(value)) return value
    this.exact[i] = this.named[i]
    return inNames
  }

  /**
   * `f` of node i's inputs in the program's names, short or TOO_LONG; where no input has a name of
   * its own that is `f` of the exact inputs, already computed as `exact`.
   */
  inNames(i: number, f: (args: Sym[]) => Sym, exact: Sym): Sym {
    const exactArgs = this.exactArgs(i)
    const namedArgs = this.namedArgs(i)
    return namedArgs.every((a, k) => a === exactArgs[k]) ? short(exact) : short(f(namedArgs))
  }

  /** What consumers of node i compute with, once its value is known. */
  settle(i: number, node: TraceNode): void {
    this.values[i] = node.kind === 'op' && !isNumber(node.value) && this.exact[i] !== undefined ? this.exact[i]! : node.value
  }
}

/** Which nodes the output depends on. */
function markOnPath(graph: Graph, nodes: TraceNode[]): void {
  nodes[graph.output]!.onPath = true
  for (let i = graph.output; i >= 0; i--) {
    if (!nodes[i]!.onPath) continue
    for (const j of graph.nodes[i]!.inputs) nodes[j]!.onPath = true
  }
}

/**
 * Seed 1 at the output, then each consumer before its inputs: every edge's upstream × local is
 * added to its input's gradient (micrograd's `+=`, recorded). Returns the edges in visiting order.
 */
function backwardPass(graph: Graph, forward: Forward): number[] {
  const { nodes, edges, flags, values, requiresGrad, firstEdge } = forward
  const grads: Sym[] = new Array(nodes.length).fill(0)
  const named = forward.namedLocals ? new NamedGradients(graph, forward) : undefined
  grads[graph.output] = 1
  const backward: number[] = []
  for (let i = graph.output; i >= 0; i--) {
    if (!nodes[i]!.onPath) continue
    if (requiresGrad[i] || i === graph.output) nodes[i]!.grad = named ? named.shown(i, grads[i]!) : grads[i]!
    const upstream = grads[i]!
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e++) {
      const edge = edges[e]!
      const local = edge.localValue
      const sum = grads[edge.from]!
      edge.upstream = upstream
      // Fully bound programs take the first branch: plain doubles, as apply would compute them.
      if (typeof upstream === 'number' && typeof local === 'number' && typeof sum === 'number') {
        edge.contribution = selectingProduct(upstream, local, nodes[i]!, (j) => values[j]!, edge.slot)
        // Only a selection turns ∞·0 or NaN·0 into 0: say where it happened.
        if (edge.contribution === 0 && local === 0 && !Number.isFinite(upstream))
          flags.push({ kind: Number.isNaN(upstream) ? 'nan' : 'infinite', pass: 'backward', code: 'select', node: i, edge: e })
        grads[edge.from] = sum + edge.contribution
      } else {
        edge.contribution = short(apply('mul', [upstream, local]))
        grads[edge.from] = short(apply('add', [sum, edge.contribution]))
      }
      named?.edge(e)
      backward.push(e)
      // A node's first contribution makes its list, of one: most nodes have one or two, and an
      // array grown by push from empty holds room for 16.
      const input = nodes[edge.from]!
      if (input.contributions === NO_CONTRIBUTIONS) input.contributions = [e]
      else input.contributions.push(e)
      flagEdge(graph, values, edge, e, flags)
    }
  }
  // Each fan-out node's grad is its final sum (set when it was visited as a consumer, or now).
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!
    if (node.contributions.length > 0) node.grad = named ? named.shown(i, grads[i]!) : grads[i]!
    // (A list grown by push keeps room to spare: a copy holds only its entries.)
    if (node.contributions.length > 1) node.contributions = node.contributions.slice()
  }
  return backward
}

/**
 * The backward pass again in the program's names: a named node passes down ∂L/∂name, so a
 * gradient too long in the variables is written as the chain rule writes it, ∂loss/∂z1·w11. An
 * edge whose row is too long in the variables is shown in these terms instead.
 */
class NamedGradients {
  private readonly grads: Sym[]
  private readonly out: string

  constructor(
    private readonly graph: Graph,
    private readonly forward: Forward,
  ) {
    this.grads = new Array(forward.nodes.length).fill(0)
    this.grads[graph.output] = 1
    this.out = forward.nodes[graph.output]!.label
  }

  private upstream(i: number): Sym {
    const node = this.graph.nodes[i]!
    return i !== this.graph.output && isProgramName(node) ? { grad: { of: this.out, wrt: node.label } } : this.grads[i]!
  }

  edge(e: number): void {
    const edge = this.forward.edges[e]!
    // A number stays a number: only expressions are worth writing by name.
    const upstream = isNumber(edge.upstream) ? edge.upstream : this.upstream(edge.to)
    const local = this.forward.namedLocals![e] ?? edge.localValue
    const contribution = short(apply('mul', [upstream, local]))
    this.grads[edge.from] = short(apply('add', [this.grads[edge.from]!, contribution]))
    if ([edge.upstream, edge.localValue, edge.contribution].some(isTooLong)) {
      Object.assign(edge, { upstream, localValue: local, contribution })
    }
  }

  /** Node i's gradient as shown: in the variables while short, else in the program's names. */
  shown(i: number, grad: Sym): Sym {
    return isTooLong(grad) ? this.grads[i]! : grad
  }
}

/**
 * Every input of every node, inputs first, with the index of the edge that carries its gradient
 * (undefined where the input depends on no variable and has none).
 */
export function* inputEdges(trace: Pick<Trace, 'nodes' | 'edges'>): Generator<{ from: number; to: number; e: number | undefined }> {
  // Edges are grouped by consumer in topological order, then by argument: one index walks them.
  let e = 0
  for (const [to, node] of trace.nodes.entries()) {
    for (const [slot, from] of node.inputs.entries()) {
      const edge = trace.edges[e]
      yield { from, to, e: edge !== undefined && edge.to === to && edge.slot === slot ? e++ : undefined }
    }
  }
}

/** Each node's incoming edges (trace indexes), in argument order. */
export function edgesByConsumer(trace: Pick<Trace, 'nodes' | 'edges'>): number[][] {
  const into: number[][] = trace.nodes.map(() => [])
  trace.edges.forEach((edge, e) => into[edge.to]!.push(e))
  return into
}

/** Whether a node is called by a name from the program: a variable, or a name assigned once. */
const isProgramName = (node: GraphNode) => node.kind === 'variable' || (node.assigned !== undefined && node.label === node.assigned)

/** Flags sums of finite contributions that are not finite; gives nodes off the output's path their 0 or null. */
function sumsAndOffPath({ nodes, edges, flags, requiresGrad }: Forward): void {
  for (const edge of edges) {
    if (!nodes[edge.to]!.onPath) edge.upstream = edge.contribution = 0
  }
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!
    const grad = node.grad
    if (grad !== null && isNumber(grad) && !Number.isFinite(grad) && node.contributions.length > 1) {
      if (node.contributions.every((e) => finite(edges[e]!.contribution))) {
        flags.push({ kind: Number.isNaN(grad) ? 'nan' : 'infinite', pass: 'backward', code: 'sum', node: i })
      }
    }
    if (node.kind === 'op' && !node.onPath) node.grad = requiresGrad[i] ? 0 : null
    if (node.kind === 'variable' && !node.onPath) node.grad = 0
  }
}

const finite = (x: Sym) => !isNumber(x) || Number.isFinite(x)
const isInfinite = (x: number) => x === Infinity || x === -Infinity
const infiniteTimesZero = (a: number, b: number) => (isInfinite(a) && b === 0) || (a === 0 && isInfinite(b))

/** Paths are counted for every variable in one linear pass, and listed only under LIMITS.chainPaths and LIMITS.chainEdges. */
function chains(graph: Graph, nodes: TraceNode[], edges: TraceEdge[], backward: number[], values: Sym[]): Chain[] {
  const counts = new Float64Array(nodes.length)
  // Fewest edges from each node up to the output: a variable deeper than the edge cap is not listed.
  const depth = new Float64Array(nodes.length).fill(Infinity)
  counts[graph.output] = 1
  depth[graph.output] = 0
  for (const e of backward) {
    const { from, to } = edges[e]!
    counts[from]! += counts[to]!
    depth[from] = Math.min(depth[from]!, depth[to]! + 1)
  }
  return graph.variables.map((v) => {
    const chain: Chain = { variable: graph.nodes[v]!.id, count: counts[v]! }
    if (chain.count === 0 || chain.count > LIMITS.chainPaths || depth[v]! > LIMITS.chainEdges) return chain
    // Walk up from the variable through its consumers; every consumer on the path reaches the
    // output. Each step records its edge and the step it came from, so a path is read back at the end.
    const steps: { node: number; edge: number; parent: number }[] = [{ node: v, edge: -1, parent: -1 }]
    const ends: number[] = []
    let budget = LIMITS.chainEdges
    const stack = [0]
    while (stack.length > 0 && budget >= 0) {
      const at = stack.pop()!
      const node = steps[at]!.node
      if (node === graph.output) {
        ends.push(at)
        continue
      }
      const up = nodes[node]!.contributions
      for (let k = up.length - 1; k >= 0; k--) {
        budget--
        steps.push({ node: edges[up[k]!]!.to, edge: up[k]!, parent: at })
        stack.push(steps.length - 1)
      }
    }
    if (budget < 0) return chain
    // From the output down to the variable: the order the steps were taken, reversed.
    const paths = ends.map((end) => {
      const path: number[] = []
      for (let at = end; steps[at]!.edge >= 0; at = steps[at]!.parent) path.push(steps[at]!.edge)
      return path
    })
    // In the order of the variable's contributions in the backward table (by the edge into it), so
    // path k is contribution k where each contribution has one path.
    const order = new Map(nodes[v]!.contributions.map((e, k) => [e, k]))
    paths.sort((a, b) => order.get(a[a.length - 1]!)! - order.get(b[b.length - 1]!)! || compareEdgeLists(a, b))
    chain.paths = paths.map((path) => {
      let product: Sym = 1
      let selected: number | undefined
      for (const e of path) {
        const { localValue: local, to, slot } = edges[e]!
        // The backward pass's own rule: a selecting op passes 0, not ∞·0.
        if (typeof product === 'number' && typeof local === 'number') {
          const next = selectingProduct(product, local, nodes[to]!, (j) => values[j]!, slot)
          if (next === 0 && local === 0 && !Number.isFinite(product)) selected ??= e
          product = next
        } else product = apply('mul', [product, local])
      }
      return { edges: path, product: short(product), ...(selected === undefined ? {} : { selected }) }
    })
    return chain
  })
}

/** A deterministic order for paths: lexicographic by edge index, from the output down. */
function compareEdgeLists(a: number[], b: number[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k]! - b[k]!
  return a.length - b.length
}

/**
 * upstream × local, as the backward pass takes it: where the consumer's op selects its branch
 * (relu, max, min, pow's mask for a^0; ops.ts `selects`), an input with local 0 gets 0, even
 * from an infinite or NaN upstream. The backward pass, the chains and check's partials all use it.
 */
export function selectingProduct(upstream: number, local: number, consumer: TraceNode, valueOf: (node: number) => Sym, slot: number): number {
  return local === 0 && !Number.isFinite(upstream) && selectsAt(consumer, valueOf, slot) ? 0 : upstream * local
}

/** Whether the op of `node` selects rather than multiplies for the input at `slot`, at its inputs' values. */
export function selectsAt(node: Pick<TraceNode, 'op' | 'inputs'>, valueOf: (node: number) => Sym, slot: number): boolean {
  const selects = OPS[node.op!].selects
  if (!selects) return false
  const xs = node.inputs.map(valueOf)
  return xs.every(isNumber) && selects(xs, slot)
}

function flagEdge(graph: Graph, values: Sym[], edge: TraceEdge, e: number, flags: Flag[]): void {
  const { upstream, contribution, localValue } = edge
  const consumer = graph.nodes[edge.to]!
  const rule = OPS[consumer.op!]
  // The common case, checked without allocating: nothing to flag.
  if (!rule.convention && finite(localValue) && finite(contribution)) return
  const inputs = consumer.inputs.map((j) => values[j]!)
  const convention = inputs.every(isNumber) ? rule.convention?.(inputs, edge.slot) : undefined
  const flag = (kind: FlagKind, code: FlagCode) =>
    flags.push({ kind, pass: 'backward', code, node: edge.to, edge: e, ...(code === 'convention' ? { convention: convention! } : {}) })
  // A NaN input, or 0^b for b > 0, is no kink (the check must not call it one): its flag is a NaN flag with the convention.
  if (convention) flag(isKinkConvention(convention) ? 'non-differentiable' : 'nan', 'convention')
  else if (isNumber(localValue) && !Number.isFinite(localValue) && inputs.every(finite)) flag(Number.isNaN(localValue) ? 'nan' : 'infinite', 'local')
  else if (isNumber(contribution) && !Number.isFinite(contribution) && finite(upstream)) flag(Number.isNaN(contribution) ? 'nan' : 'infinite', 'contribution')
  else if (Number.isNaN(contribution) && isNumber(upstream) && isNumber(localValue) && infiniteTimesZero(upstream, localValue)) flag('nan', 'indeterminate')
}

/**
 * A finite gradient taken through a node whose value is NaN or infinite (log(x)·y at x = −1 gives
 * ∂L/∂x = −1, as PyTorch does, though L has no value near x): flagged on the variable, with the node.
 */
function flagThrough(graph: Graph, nodes: TraceNode[], flags: Flag[]): void {
  const broken = flags.filter((f) => f.code === 'value' && nodes[f.node]!.onPath).map((f) => f.node)
  const flagged = new Set<number>()
  for (const through of broken) {
    const below = new Uint8Array(nodes.length)
    below[through] = 1
    for (let i = through; i >= 0; i--) {
      if (!below[i]) continue
      for (const j of graph.nodes[i]!.inputs) below[j] = 1
    }
    for (const v of graph.variables) {
      const grad = nodes[v]!.grad
      if (below[v] && !flagged.has(v) && grad !== null && isNumber(grad) && Number.isFinite(grad)) {
        flagged.add(v)
        flags.push({ kind: 'nan', pass: 'backward', code: 'through', node: v, through })
      }
    }
  }
}

const usedTwice = (inputs: number[]) => inputs.length > 1 && new Set(inputs).size < inputs.length

/** x^x's inputs as x[1], x[2]: told apart, the power rule's x·x^(x − 1) is not collected into x^x. */
const markUses = (inputs: number[], labels: Sym[]): Sym[] =>
  labels.map((label, slot) =>
    inputs.indexOf(inputs[slot]!) !== inputs.lastIndexOf(inputs[slot]!) && typeof label === 'object' && 'name' in label
      ? { name: label.name, mark: slot + 1 }
      : label,
  )

/** The uses' marks taken off again, the expression kept as the rule wrote it. */
function unmark(s: Sym): Sym {
  if (typeof s === 'number' || !('op' in s || 'name' in s)) return s
  if ('name' in s) return s.mark === undefined ? s : { name: s.name }
  return { op: s.op, args: s.args.map(unmark) }
}
