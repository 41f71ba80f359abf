// A tensor program traced: variables bound, values forward (each node's shape checked), ∂L/∂node
// backward as vector-Jacobian products (upstream ḡ · the op's rule = contribution, per edge;
// fan-out sums), and every gradient checked against central differences.
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { OPS } from '../ops.js'
import { TENSOR_OPS, productWork, resolve, type TensorRule } from './ops.js'
import { broadcastIndex, isScalar, shapeText, size, tensor, type Shape, type Tensor } from './tensor.js'
import { statementText, type TensorGraph, type TensorNode } from './graph.js'
import { mulberry32 } from '../random.js'
import type { CheckStatus } from '../check.js'
import { tensorFlags, type TensorFlag } from './flags.js'

export interface TensorEdge {
  /** The operation the gradient comes back from, and the input it goes to. */
  consumer: number
  slot: number
  input: number
  rule: TensorRule
  /** The rule in ḡ and the operands' labels: ḡ·xᵀ. */
  formula: string
  /** The product's shapes, for a matrix product: 3×1 · 1×2 → 3×2. */
  shapes?: string
  contribution: Tensor
}

export interface TensorCheck {
  variable: string
  /** entries: each entry perturbed in turn; directions: random unit directions (PyTorch's fast gradcheck). */
  method: 'entries' | 'directions'
  /** Entries or directions compared. */
  count: number
  /** The largest |finite difference - backprop| among them, and the tolerance it is held to. */
  error: number
  tolerance: number
  status: CheckStatus
  /** inconclusive: the op whose branch changes within the step (relu, max, abs). */
  kink?: string
  /** inconclusive: the kink is at the point itself, where the rule is a convention (a flag says which). */
  atKink?: boolean
  /**
   * not-checked: what is not finite, the gradient itself or the output near the point. With
   * `skipped`, only some entries were not finite (sqrt at [0, 1]): the others were checked, and the status is theirs.
   */
  notFinite?: 'gradient' | 'output'
  skipped?: number
}

export interface TensorTrace extends TensorGraph {
  /** ∂L/∂node for every node a variable reaches and the output depends on. */
  grads: (Tensor | undefined)[]
  /** The backward pass, in the order it runs. */
  edges: TensorEdge[]
  /** The output's value. */
  value: number
  gradients: { name: string; node: number; grad: Tensor }[]
  checks: TensorCheck[]
  /** Each variable's shape and where its value came from ("randn(3, 2)", "x.csv"). */
  bindings: Map<string, string>
  /** Known results the numbers confirm: the softmax-with-cross-entropy shortcut p - y (filled by the pipeline, shortcuts.ts). */
  shortcuts: string[]
  /** Values first NaN or infinite, and rules that are conventions at these values (flags.ts). */
  flags: TensorFlag[]
}

/** Shapes in words for a message: "W is 3×2", "x has 3 entries", "b is a scalar". */
function shapeClause(node: TensorNode, shape: Shape): string {
  // A node the tutor named (t1) is shown with what it is, as no table has introduced it yet.
  const name =
    node.kind === 'op' && !node.assigned && node.expression && /^[\p{L}_$][\p{L}\p{N}_$#]*$/u.test(node.label)
      ? `${node.label} = ${node.expression}`
      : node.label
  if (shape.length === 0) return `${name} is a scalar`
  if (shape.length === 1) return `${name} has ${shape[0]} ${shape[0] === 1 ? 'entry' : 'entries'}`
  return `${name} is ${shapeText(shape)}`
}

/** The product's operands in another order or transposed, where that fits: what the student likely meant. */
function productHint(a: TensorNode, b: TensorNode, sa: Shape, sb: Shape): string {
  const inner = (x: Shape, y: Shape) => (x.length === 2 ? x[1] : x[0]) === y[0]
  const t = (s: Shape) => (s.length === 2 ? [s[1]!, s[0]!] : s)
  // As the student would type it: * for ·, ' for ᵀ, d for ∂; bracketed once unless a name or bracketed already.
  const name = (n: TensorNode) => {
    const typed = n.label.replace(/·/g, '*').replace(/ᵀ/g, "'").replace(/∂/g, 'd')
    return /^[\p{L}_$][\p{L}\p{N}_$#]*$/u.test(typed) || bracketedWhole(typed) ? typed : `(${typed})`
  }
  if (sa.length === 2 && inner(t(sa), sb)) return ` (did you mean ${name(a)}'*${name(b)}?)`
  if (sb.length === 2 && inner(sa, t(sb))) return ` (did you mean ${name(a)}*${name(b)}'?)`
  if (inner(sb, sa)) return ` (did you mean ${name(b)}*${name(a)}?)`
  return ''
}

/** Whether text is one bracketed group, (a + b), not (a)·(b). */
function bracketedWhole(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false
  let depth = 0
  for (let k = 0; k < text.length; k++) {
    depth += text[k] === '(' ? 1 : text[k] === ')' ? -1 : 0
    if (depth === 0 && k < text.length - 1) return false
  }
  return true
}

/**
 * Runs every operation (or those marked in `only`) on its inputs' values, checking shapes; throws
 * InputError where they do not fit. `kinks` collects the branch of each kinked element-wise op.
 */
export function forwardValues(graph: TensorGraph, kinks?: Map<number, Int8Array | Int32Array>, only?: boolean[]): void {
  const { nodes } = graph
  let total = 0
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index]!
    if (node.kind !== 'op' || (only && !only[index])) continue
    const inputs = node.inputs.map((i) => nodes[i]!)
    const xs = inputs.map((n) => n.value!)
    const resolved = resolve(
      node.op!,
      node.params,
      xs.map((x) => x.shape),
    )
    node.op = resolved.op
    node.params = resolved.params
    const op = TENSOR_OPS[node.op]
    const shape = op.shape(
      xs.map((x) => x.shape),
      node.params,
    )
    const where = `${graph.source.includes('\n') || graph.source.includes(';') ? `${statementText(graph, node.statement)}, ` : ''}${node.expression}`
    if (typeof shape === 'string') {
      const clauses = inputs.map((n, k) => shapeClause(n, xs[k]!.shape))
      const unique = [...new Set(clauses)]
      const hint = node.op === 'matmul' ? productHint(inputs[0]!, inputs[1]!, xs[0]!.shape, xs[1]!.shape) : ''
      throw new InputError(`${where}: ${unique.join(' and ')}; ${node.op === 'matmul' ? 'the inner sizes must agree' : shape}${hint}`)
    }
    if (shape.length > 2) throw new InputError(`${where}: the result would have ${shape.length} dimensions; the tutor works with scalars, vectors and matrices`)
    const entries = size(shape)
    if (entries > LIMITS.maxTensorEntries)
      throw new InputError(`${where}: the result has ${entries} entries; the tutor's limit is ${LIMITS.maxTensorEntries} per tensor`)
    if (node.op === 'matmul' || op.work) {
      const work = op.work
        ? op.work(
            xs.map((x) => x.shape),
            shape,
          )
        : productWork(xs[0]!.shape, xs[1]!.shape)
      if (work > LIMITS.maxProductWork)
        throw new InputError(
          `${where}: the ${node.op === 'matmul' ? 'product' : 'operation'} takes ${work} multiply-adds; the tutor's limit is ${LIMITS.maxProductWork}`,
        )
    }
    total += entries
    if (total > LIMITS.maxTotalEntries)
      throw new InputError(`the program's values hold more than ${LIMITS.maxTotalEntries} entries together; the tutor's limit`)
    node.value = op.forward(xs, node.params)
    if (kinks && node.op === 'elementwise' && OPS[node.params.fn!].kink) kinks.set(index, branches(node, xs))
    else if (kinks && op.branches) kinks.set(index, op.branches(xs, node.value, node.params))
  }
}

/** For a kinked element-wise op (relu, abs, max, min): which side of its kink each entry is on. */
function branches(node: TensorNode, xs: Tensor[]): Int8Array {
  const kink = OPS[node.params.fn!].kink!
  const count = node.value!.data.length
  const sides = new Int8Array(count)
  const [a, b] = xs as [Tensor, Tensor | undefined]
  // Operands are the output's shape or a scalar (a broadcast row or column is read by its index).
  const ia = broadcastIndex(a.shape, node.value!.shape)
  const ib = b && broadcastIndex(b.shape, node.value!.shape)
  const args = [0, 0]
  for (let i = 0; i < count; i++) {
    args[0] = a.data[ia[i]!]!
    if (b) args[1] = b.data[ib![i]!]!
    sides[i] = Math.sign(kink(args))
  }
  return sides
}

/** The trace of a graph whose variables have values. */
export function traceTensors(graph: TensorGraph, bindings: Map<string, string>): TensorTrace {
  forwardValues(graph)
  const { nodes, output } = graph
  const out = nodes[output]!
  // One entry in a vector or 1×1 matrix (x'*A*x with x a column) is a scalar loss all the same, as PyTorch's .item().
  if (out.value!.data.length !== 1) {
    throw new InputError(
      `the output ${out.label} is ${out.value!.shape.length === 1 ? `a vector of ${out.value!.shape[0]} entries` : `a ${shapeText(out.value!.shape)} matrix`}; backpropagation starts from a scalar loss: end with sum(…) or mean(…) of it`,
    )
  }
  const { grads, edges } = backward(graph)
  const gradients = graph.variables.map((v) => ({ name: nodes[v]!.label, node: v, grad: grads[v] ?? tensor(nodes[v]!.value!.shape) }))
  const notes = [...graph.notes]
  // What an operation says about itself at these values (max-pooling's winners).
  for (const node of nodes) {
    const note = node.kind === 'op' ? TENSOR_OPS[node.op!].notes : undefined
    if (note)
      notes.push(
        note(
          node.inputs.map((k) => nodes[k]!.value!),
          node.value!,
          node.params,
          node.inputs.map((k) => nodes[k]!.label),
        ),
      )
  }
  if (!isScalar(out.value!)) notes.push(`the output ${out.label} is ${shapeText(out.value!.shape)}, one entry: that entry is the loss`)
  for (const v of graph.variables) if (grads[v] === undefined) notes.push(`${nodes[v]!.label} does not reach the output, so its gradient is 0`)
  const trace: TensorTrace = { ...graph, notes, grads, edges, value: out.value!.data[0]!, gradients, checks: [], bindings, shortcuts: [], flags: [] }
  trace.flags = tensorFlags(trace)
  trace.checks = checkGradients(trace)
  return trace
}

/** Which nodes a variable reaches (so they carry a gradient). */
function reachedByVariables(nodes: TensorNode[]): boolean[] {
  const live = nodes.map((n) => n.kind === 'variable')
  nodes.forEach((n, i) => {
    if (n.kind === 'op' && n.inputs.some((k) => live[k])) live[i] = true
  })
  return live
}

export function backward(graph: TensorGraph): { grads: (Tensor | undefined)[]; edges: TensorEdge[] } {
  const { nodes, output } = graph
  const live = reachedByVariables(nodes)
  const grads: (Tensor | undefined)[] = new Array(nodes.length)
  const edges: TensorEdge[] = []
  grads[output] = tensor(nodes[output]!.value!.shape, [1])
  for (let index = output; index >= 0; index--) {
    const node = nodes[index]!
    const g = grads[index]
    if (!g || node.kind !== 'op') continue
    const op = TENSOR_OPS[node.op!]
    const rules = op.inputs(node.params)
    const xs = node.inputs.map((i) => nodes[i]!.value!)
    const operands = node.inputs.map((i, k) => {
      const input = nodes[i]!
      const constant = input.kind === 'constant' && isScalar(xs[k]!) ? { constant: xs[k]!.data[0]! } : {}
      return { label: input.label, shape: xs[k]!.shape, ...constant }
    })
    node.inputs.forEach((input, slot) => {
      if (!live[input]) return
      const rule = rules[slot]!
      const contribution = rule.vjp(g, xs, node.value!, node.params)
      const shapes = rule.shapes?.(operands, node.value!.shape, node.params)
      edges.push({
        consumer: index,
        slot,
        input,
        rule: rule.rule,
        formula: rule.formula(operands, node.value!.shape, node.params),
        ...(shapes ? { shapes } : {}),
        contribution,
      })
      const sum = grads[input]
      if (!sum) grads[input] = tensor(contribution.shape, contribution.data.slice())
      else for (let i = 0; i < sum.data.length; i++) sum.data[i]! += contribution.data[i]!
    })
  }
  return { grads, edges }
}

const EPSILON = Number.EPSILON
/** Random directions per variable past LIMITS.entrywiseCheck entries. */
export const CHECK_DIRECTIONS = 2

/** The nodes whose values change with variable `v`: it and everything computed from it. */
function dependents(nodes: TensorNode[], v: number): boolean[] {
  const reached = nodes.map((_, i) => i === v)
  for (let i = v + 1; i < nodes.length; i++) if (nodes[i]!.inputs.some((k) => reached[k])) reached[i] = true
  return reached
}

/**
 * Central differences, (f(x + h·u) - f(x - h·u)) / 2h against ∂L/∂x · u: for each entry in turn
 * (u a unit entry) while all variables together have at most LIMITS.entrywiseCheck entries, else
 * along CHECK_DIRECTIONS random unit directions per variable (reproducible), as PyTorch's fast gradcheck does.
 * Held to 1e-4 of the larger of the two, plus 1e-7 of the output's size (round-off in f itself).
 * Only the nodes computed from the moved variable are computed again.
 */
export function checkGradients(trace: TensorTrace, targets = trace.gradients): TensorCheck[] {
  const { nodes } = trace
  // Decided by the variables alone, so a --wrt node is checked the same way as they are.
  const entries = trace.variables.reduce((n, v) => n + nodes[v]!.value!.data.length, 0)
  const entrywise = entries <= LIMITS.entrywiseCheck
  // A scratch graph sharing the trace's values: a moved variable and what it reaches get new ones.
  const scratch: TensorGraph = { ...trace, nodes: nodes.map((n) => ({ ...n })) }
  const scale = Math.max(1, Math.abs(trace.value))
  return targets.map((target) => checkOne(trace, scratch, target, entrywise, scale))
}

/** One variable's (or --wrt node's) check: moved along each direction, both ways, and its kinks looked at. */
function checkOne(
  trace: TensorTrace,
  scratch: TensorGraph,
  { name, node, grad }: TensorTrace['gradients'][number],
  entrywise: boolean,
  scale: number,
): TensorCheck {
  const { nodes } = trace
  const original = nodes[node]!.value!.data
  const moved = dependents(nodes, node)
  // A --wrt node is moved on its own, its inputs held: it is set, never computed again.
  const recomputed = moved.map((m, i) => m && i !== node)
  let largest = 1
  for (let i = 0; i < original.length; i++) largest = Math.max(largest, Math.abs(original[i]!))
  // h ≈ cbrt(eps)·scale balances truncation (h²) against round-off (eps/h).
  const h = Math.cbrt(EPSILON) * largest
  const directions = checkDirections(original.length, entrywise, node)
  // The convention flags on the way whose operation's inputs the moves actually change (relu(v) at v = -1 keeps sqrt's input at 0).
  // A kink with no gradient arriving where it is (abs(x).^2 at 0) changes nothing to first order, as for scalars.
  const candidates = trace.flags.filter((f) => f.kind === 'non-differentiable' && nodes[f.node]!.inputs.some((k) => moved[k]) && !flatAt(trace, f))
  const measured = differences(trace, scratch, { node, grad, h, scale, moved, recomputed, candidates }, directions)
  let { status, kink } = measured
  // A rule taken by convention on the way (relu or abs at 0, a tie) makes agreement a coincidence, as for scalars.
  const across = candidates.find((f) => measured.crossed.has(f.node))
  let atKink = false
  if ((status === 'agree' || status === 'disagree') && across) {
    status = 'inconclusive'
    kink = nodes[across.node]!.label
    atKink = true
  }
  // The scratch graph gets the trace's values back for the next variable.
  moved.forEach((m, i) => {
    if (m) scratch.nodes[i]!.value = nodes[i]!.value
  })
  return {
    variable: name,
    method: entrywise ? 'entries' : 'directions',
    count: directions.length,
    error: measured.error,
    tolerance: measured.tolerance,
    status,
    ...(kink ? { kink } : {}),
    ...(atKink ? { atKink } : {}),
    ...(measured.notFinite ? { notFinite: measured.notFinite } : {}),
    ...(measured.skipped ? { skipped: measured.skipped } : {}),
  }
}

/** What one variable's moves are made with: its node and gradient, the step, and what the moves recompute and may cross. */
interface Probe {
  node: number
  grad: Tensor
  h: number
  scale: number
  moved: boolean[]
  recomputed: boolean[]
  candidates: TensorFlag[]
}

/**
 * The central differences along each direction against the gradient's dot product with it: the
 * worst error against its tolerance, the status, a kink that switched branch, and the flagged
 * operations the moves crossed.
 */
function differences(trace: TensorTrace, scratch: TensorGraph, probe: Probe, directions: Float64Array[]) {
  const { nodes, output } = trace
  const { node, grad, h, scale, moved, recomputed, candidates } = probe
  const x = nodes[node]!.value!
  const original = x.data
  const baseKinks = branchesAt(nodes, recomputed)
  let error = 0
  let tolerance = 0
  let status: TensorCheck['status'] = 'agree'
  let kink: string | undefined
  let notFinite: TensorCheck['notFinite']
  let skipped = 0
  const entrywise = directions.every((u) => u.filter((x) => x !== 0).length === 1)
  const crossed = new Set<number>()
  // Whether every direction that crossed a kink found L's two one-sided slopes the same (relu(x .* x) at 0).
  let smooth = true
  for (const u of directions) {
    let crossing = false
    // The flagged operations this direction's moves cross, counted only if the direction is measured.
    const hits = new Set<number>()
    const at = (sign: number) => {
      const data = new Float64Array(original.length)
      for (let i = 0; i < data.length; i++) data[i] = original[i]! + sign * h * u[i]!
      scratch.nodes[node]!.value = tensor(x.shape, data)
      const kinks = new Map<number, Int8Array | Int32Array>()
      forwardValues(scratch, kinks, recomputed)
      for (const f of candidates)
        if (flaggedInputs(nodes, f).some((k) => moved[k] && movesFlagged(scratch.nodes[k]!.value!, nodes[k]!.value!, f))) {
          hits.add(f.node)
          crossing = true
        }
      return { y: scratch.nodes[output]!.value!.data[0]!, kinks }
    }
    const up = at(1)
    const down = at(-1)
    const flipped = [...up.kinks].find(([k, sides]) => sides.some((s, i) => s !== down.kinks.get(k)![i] || s !== baseKinks.get(k)![i]))
    let estimate = (up.y - down.y) / (2 * h)
    let exact = 0
    for (let i = 0; i < u.length; i++) if (u[i] !== 0) exact += grad.data[i]! * u[i]!
    if (!Number.isFinite(estimate) || !Number.isFinite(exact)) {
      // Entry by entry, the finite entries are still checked; along a random direction every entry is mixed in.
      skipped++
      notFinite ??= Number.isFinite(exact) || !Number.isFinite(trace.value) ? 'output' : 'gradient'
      if (!entrywise) status = 'not-checked'
      continue
    }
    for (const hit of hits) crossed.add(hit)
    if (crossing || flipped) {
      // Across a kink whose two slopes are the same, their mean is the estimate; where they differ, the check is inconclusive.
      const slope = smooth ? sameSlopes(trace.value, up.y, down.y, at, h, scale) : undefined
      if (slope === undefined) smooth = false
      else estimate = slope
    }
    const allowed = 1e-4 * Math.max(Math.abs(estimate), Math.abs(exact)) + 1e-7 * scale
    const off = Math.abs(estimate - exact)
    if (off > allowed && status === 'agree') {
      if (flipped && !smooth) {
        status = 'inconclusive'
        kink = nodes[flipped[0]]!.label
      } else status = 'disagree'
    }
    if (tolerance === 0 || off / allowed > error / tolerance) {
      error = off
      tolerance = allowed
    }
  }
  if (skipped === directions.length) status = 'not-checked'
  // Crossing a kink blends L's two slopes only where they differ.
  return { error, tolerance, status, kink, notFinite, skipped: status === 'not-checked' ? 0 : skipped, crossed: smooth ? new Set<number>() : crossed }
}

/**
 * L's slope across a kink along one direction, where its two one-sided slopes are the same: each a
 * one-sided difference at h and h/2, extrapolated (Richardson) so that curvature does not look like
 * a kink, and their mean (a central difference across relu(z)² at 0 is off by h/2); undefined
 * where they differ. `at(sign)` moves by sign·h, so h/2 is `at(±1/2)`.
 */
function sameSlopes(f0: number, up: number, down: number, at: (sign: number) => { y: number }, h: number, scale: number): number | undefined {
  const [halfUp, halfDown] = [at(0.5).y, at(-0.5).y]
  const right = 2 * ((halfUp - f0) / (h / 2)) - (up - f0) / h
  const left = 2 * ((f0 - halfDown) / (h / 2)) - (f0 - down) / h
  if (!Number.isFinite(right) || !Number.isFinite(left)) return undefined
  return Math.abs(right - left) > 1e-4 * Math.max(Math.abs(right), Math.abs(left)) + (1e-7 * scale) / h ? undefined : (right + left) / 2
}

/** Which branch each selecting or kinked operation the check recomputes took at the trace's values (relu's side, a pool's winner). */
function branchesAt(nodes: TensorNode[], recomputed: boolean[]): Map<number, Int8Array | Int32Array> {
  const taken = new Map<number, Int8Array | Int32Array>()
  nodes.forEach((n, i) => {
    if (!recomputed[i] || n.kind !== 'op') return
    const xs = n.inputs.map((k) => nodes[k]!.value!)
    if (TENSOR_OPS[n.op!].branches) taken.set(i, TENSOR_OPS[n.op!].branches!(xs, n.value!, n.params))
    else if (n.op === 'elementwise' && OPS[n.params.fn!].kink) taken.set(i, branches(n, xs))
  })
  return taken
}

/**
 * Whether no gradient arrives at a flag's kink: ∂L/∂(its node) is 0 at the flagged entries (or
 * everywhere, for a reduction's flag, shaped as its input). Then which slope the kink takes does
 * not change any gradient, as the scalar check's flatAbove says.
 */
function flatAt(trace: TensorTrace, f: TensorFlag): boolean {
  const grad = trace.grads[f.node]
  if (!grad) return false
  if (grad.shape.join() === f.shape.join()) return f.entries.every((i) => grad.data[i] === 0)
  return grad.data.every((g) => g === 0)
}

/** The inputs whose moves can cross a flag's kink: pow's conventions are each about one input (0^b in b, a^0 in a); a tie or relu's kink, about all. */
const flaggedInputs = (nodes: TensorNode[], f: TensorFlag) => (f.convention?.startsWith('power-') ? [f.edge!.input] : nodes[f.node]!.inputs)

/**
 * Whether a move changed an input of a flagged operation where the flag is: at its entries, for
 * an input shaped as the flag (relu(x) at x[1] = 0 is not crossed by moving x[2]); anywhere, for
 * an input broadcast into it.
 */
function movesFlagged(now: Tensor, before: Tensor, flag: TensorFlag): boolean {
  if (now.shape.join() === flag.shape.join()) return flag.entries.some((i) => !Object.is(now.data[i], before.data[i]))
  return now.data.some((v, i) => !Object.is(v, before.data[i]))
}

/** The check's directions for a variable of `size` entries: each unit entry, or CHECK_DIRECTIONS random unit vectors seeded by the node. */
function checkDirections(size: number, entrywise: boolean, node: number): Float64Array[] {
  if (entrywise)
    return Array.from({ length: size }, (_, i) => {
      const u = new Float64Array(size)
      u[i] = 1
      return u
    })
  const next = mulberry32(0x5eed ^ node)
  return Array.from({ length: CHECK_DIRECTIONS }, () => {
    const u = new Float64Array(size)
    let norm = 0
    for (let i = 0; i < size; i++) norm += (u[i] = next() * 2 - 1) ** 2
    for (let i = 0; i < size; i++) u[i]! /= Math.sqrt(norm)
    return u
  })
}

/** An edge's rule as a function of the upstream ḡ: what the operation passes back to that input. */
export function edgeRule(trace: TensorTrace, edge: TensorEdge): (g: Tensor) => Tensor {
  const consumer = trace.nodes[edge.consumer]!
  const xs = consumer.inputs.map((i) => trace.nodes[i]!.value!)
  const rule = TENSOR_OPS[consumer.op!].inputs(consumer.params)[edge.slot]!
  return (g) => rule.vjp(g, xs, consumer.value!, consumer.params)
}
