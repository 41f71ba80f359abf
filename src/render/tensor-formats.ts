// The faces of a tensor trace: the terminal tables, JSON for tools, and the graph for Graphviz and
// Mermaid (and SVG, laid out by the same Graphviz as the scalar picture) with each node's shape. (Markdown and LaTeX notes: tensor-notes.ts.)
import type { FormatName } from './index.js'
import type { TensorTrace } from '../tensor/trace.js'
import type { Tensor } from '../tensor/tensor.js'
import type { TensorForwardMode } from '../tensor/forward.js'
import type { EntryChain } from '../tensor/entry.js'
import { tensorChains } from '../tensor/chains.js'
import { renderTensorTable } from './tensor-table.js'
import { renderTensorNotes } from './tensor-notes.js'
import { shapeCell, valueText } from '../steps/values.js'
import type { TensorRenderOptions } from './index.js'
import { TENSOR_WORDS as W, plainFormula, stepText, tensorFlagText } from '../steps/tensor-words.js'
import { indexOf } from '../tensor/tensor.js'
import { MERMAID, classLines } from './mermaid.js'
import { dotHeader } from './dot.js'
import { drawn } from './svg.js'
import { renderTensorHtml } from './html.js'
import { InputError } from '../errors.js'
import { gathered, joined } from './shared.js'
import { graphDirection, recordLabel } from './layout.js'

export const TENSOR_FORMATS: Record<
  FormatName,
  {
    render: (trace: TensorTrace, options: TensorRenderOptions) => string | Promise<string>
    /** The same text in pieces, written as they are made (see tensorJsonChunks). */
    chunks?: (trace: TensorTrace, options: TensorRenderOptions) => Iterable<string>
  }
> = {
  table: { render: renderTensorTable },
  json: { render: renderTensorJson, chunks: (trace, options) => gathered(tensorJsonChunks(trace, options)) },
  markdown: { render: (trace, options) => renderTensorNotes(trace, options, 'markdown') },
  latex: { render: (trace, options) => renderTensorNotes(trace, options, 'latex') },
  dot: { render: renderTensorDot },
  mermaid: { render: renderTensorMermaid },
  svg: { render: (trace, options) => drawn(trace.nodes, () => renderTensorDot(trace, options)) },
  html: {
    render: (trace, options) => renderTensorHtml(trace, options, renderTensorDot(trace, { ...options, rankdir: options.rankdir ?? 'LR' }, { ids: true })),
  },
}

/** A JSON number (shortest round trip, as JSON.stringify writes it); NaN and ±Infinity, which JSON lacks, as strings. */
const jsonNumber = (x: number) => (Number.isFinite(x) ? String(x) : `"${x}"`)

/** A tensor as nested row-major arrays (NumPy's tolist()), written directly: big values are hundreds of thousands of numbers. */
function nestedText(t: Tensor): string {
  if (t.shape.length === 0) return jsonNumber(t.data[0]!)
  // JSON.stringify writes arrays of finite numbers as String writes each (shortest round trip,
  // -0 as 0) in one native call, several times faster than a call per number; a tensor with NaN
  // or ±Infinity, which it would write as null, is written number by number.
  if (t.data.every(Number.isFinite)) {
    if (t.shape.length === 1) return JSON.stringify(Array.from(t.data))
    const cols = t.shape[1]!
    return JSON.stringify(Array.from({ length: t.shape[0]! }, (_, i) => Array.from(t.data.subarray(i * cols, (i + 1) * cols))))
  }
  const row = (from: number, to: number) => {
    let out = '['
    for (let i = from; i < to; i++) out += (i > from ? ',' : '') + jsonNumber(t.data[i]!)
    return `${out}]`
  }
  if (t.shape.length === 1) return row(0, t.data.length)
  const [rows, cols] = t.shape as [number, number]
  const parts: string[] = []
  for (let i = 0; i < rows; i++) parts.push(row(i * cols, (i + 1) * cols))
  return `[${parts.join(',')}]`
}

/**
 * `value` and `gradients` first (the contract: each gradient shaped like its variable, as nested
 * row-major arrays, what NumPy's tolist() gives), then the trace: nodes with shapes, values and
 * gradients, the backward edges with their rules (and their contributions where an input has
 * several; one alone is the input's grad), and the checks.
 */
export function renderTensorJson(trace: TensorTrace, options: TensorRenderOptions = { precision: 6, ascii: false, explain: false }): string {
  return joined(tensorJsonChunks(trace, options))
}

/**
 * The same JSON in pieces of whole lines, written as they are made: a batch's values and gradients
 * are megabytes of numbers, which then never sit in memory twice (as lines and as their join).
 */
export function* tensorJsonChunks(trace: TensorTrace, options: TensorRenderOptions): Generator<string> {
  const { nodes } = trace
  const q = JSON.stringify
  // A variable's grad is written twice (under "gradients" and in its node): its text made once.
  const written = new Map<Tensor, string>()
  const nested = (t: Tensor) => written.get(t) ?? (written.set(t, nestedText(t)), written.get(t)!)
  function* list(items: Iterable<string>, count: number): Generator<string> {
    let k = 0
    for (const item of items) yield `    ${item}${++k < count ? ',' : ''}\n`
  }
  yield `{\n  "value": ${nested({ shape: [], data: new Float64Array([trace.value]) })},\n  "gradients": {\n`
  yield* list(
    trace.gradients.map((g) => `${q(g.name)}: ${nested(g.grad)}`),
    trace.gradients.length,
  )
  yield `  },\n  "kind": "tensor",\n  "output": ${q(nodes[trace.output]!.label)},\n  "program": ${q(trace.source)},\n`
  yield `  "bindings": ${q(Object.fromEntries(trace.bindings))},\n  "nodes": [\n`
  yield* list(nodesJson(trace, nested), nodes.length)
  yield '  ],\n  "edges": [\n'
  yield* list(edgesJson(trace, nested), trace.edges.length)
  yield `  ],\n  "chains": ${JSON.stringify(chainsJson(trace))},\n  "checks": [\n`
  yield* list(
    trace.checks.map((c) => JSON.stringify(c)),
    trace.checks.length,
  )
  yield '  ],\n'
  if (options.entry) yield `  "entry": ${entryJson(trace, options.entry)},\n`
  const run = options.training
  if (run) {
    const final = [...run.final].map(([name, value]) => `${q(name)}:${nested(value)}`).join(',')
    yield `  "training": {"lr":${run.lr},"params":${q(run.params)},"heldFixed":${q(run.heldFixed)},"losses":[${run.losses.map(jsonNumber).join(',')}],"gradNorms":[${run.gradNorms.map(jsonNumber).join(',')}],"final":{${final}}},\n`
  }
  if (options.forward) yield `  "forward": ${forwardJson(trace, options.forward)},\n`
  yield `  "shortcuts": ${q(trace.shortcuts)},\n  "flags": ${q(flagsJson(trace, Boolean(options.ascii)))},\n  "notes": ${q(trace.notes)}\n}\n`
}

/** Each node with its shape, value and grad (null where it does not reach the output). */
function* nodesJson(trace: TensorTrace, nested: (t: Tensor) => string): Generator<string> {
  const { nodes } = trace
  const q = JSON.stringify
  for (const [i, node] of nodes.entries()) {
    const fields = [
      `"id":${q(node.label)}`,
      `"kind":"${node.kind}"`,
      ...(node.op ? [`"op":"${node.op === 'elementwise' ? node.params.fn : node.op}"`] : []),
      ...(node.assigned ? [`"assigned":${q(node.assigned)}`] : []),
      `"inputs":${q(node.inputs.map((k) => nodes[k]!.label))}`,
      ...(node.expression ? [`"expression":${q(W.ascii(node.expression))}`] : []),
      `"shape":${q(node.value!.shape)}`,
      `"value":${nested(node.value!)}`,
      `"grad":${trace.grads[i] ? nested(trace.grads[i]!) : 'null'}`,
    ]
    yield `{${fields.join(',')}}`
  }
}

/** Each backward edge with its rule, shapes and loop step, and its contribution where its input has several. */
function* edgesJson(trace: TensorTrace, nested: (t: Tensor) => string): Generator<string> {
  const { nodes } = trace
  const q = JSON.stringify
  const fanIn = new Map<number, number>()
  for (const edge of trace.edges) fanIn.set(edge.input, (fanIn.get(edge.input) ?? 0) + 1)
  for (const edge of trace.edges) {
    const step = stepText(trace, edge.consumer)
    const fields = [
      `"from":${q(nodes[edge.input]!.label)}`,
      `"to":${q(nodes[edge.consumer]!.label)}`,
      `"slot":${edge.slot}`,
      `"rule":${q({ id: edge.rule.id, name: edge.rule.name })}`,
      `"formula":${q(W.ascii(plainFormula(edge.formula)))}`,
      ...(edge.shapes ? [`"shapes":${q(W.ascii(edge.shapes))}`] : []),
      // In a loop, the step whose statement this edge belongs to ("t = 3"), as the table labels its contribution.
      ...(step ? [`"step":${q(step)}`] : []),
      // An input with one contribution has it as its grad: written once, there (big values are costly to write).
      ...(fanIn.get(edge.input)! > 1 ? [`"contribution":${nested(edge.contribution)}`] : []),
    ]
    yield `{${fields.join(',')}}`
  }
}

/**
 * Each gradient's paths from the output: how many, and while they are few enough to list, each as
 * its edges' indexes into "edges", from the output down (and its loop step). What each carries is
 * in the faces that print it; here, like one contribution, it would repeat a gradient's numbers.
 */
function chainsJson(trace: TensorTrace) {
  const index = new Map(trace.edges.map((e, k) => [e, k]))
  return tensorChains(trace).map((chain) => ({
    variable: trace.nodes[chain.node]!.label,
    count: chain.count,
    ...(chain.paths
      ? {
          paths: chain.paths.map((path) => {
            const step = stepText(trace, path.edges[path.edges.length - 1]!.consumer)
            return { edges: path.edges.map((e) => index.get(e)!), ...(step ? { step } : {}) }
          }),
        }
      : {}),
  }))
}

/** --entry: the entry's scalar chain, part by part (1-based indexes). */
function entryJson(trace: TensorTrace, entry: EntryChain): string {
  const { nodes } = trace
  const parts = entry.parts.map((part) => ({
    via: nodes[part.edge.consumer]!.label,
    value: part.value,
    ...(part.terms
      ? {
          terms: part.terms.map((t) => ({
            at: t.at.map((i) => i + 1),
            upstream: t.upstream,
            local: t.local,
            ...(t.localText ? { localText: W.ascii(t.localText) } : {}),
          })),
        }
      : {}),
  }))
  return JSON.stringify({ of: nodes[entry.node]!.label, index: entry.index.map((i) => i + 1), grad: entry.grad, parts })
}

/** The flags as data, keyed as the scalar JSON's (pass, edge index, message, in the same notation), with the 1-based entries they hold at. */
const flagsJson = (trace: TensorTrace, ascii: boolean) =>
  trace.flags.map((flag) => ({
    kind: flag.kind,
    pass: flag.code === 'value' ? 'forward' : 'backward',
    code: flag.code,
    node: trace.nodes[flag.node]!.label,
    ...(flag.edge ? { edge: trace.edges.indexOf(flag.edge), input: trace.nodes[flag.edge.input]!.label } : {}),
    ...(flag.convention ? { convention: flag.convention } : {}),
    entries: flag.entries.map((at) => indexOf(flag.shape, at).map((i) => i + 1)),
    message: ascii ? W.ascii(tensorFlagText(trace, flag)) : tensorFlagText(trace, flag),
  }))

/** --mode forward / both: each pass's direction, its tangents by node, its result beside the backward pass's, and the costs. */
function forwardJson(trace: TensorTrace, mode: TensorForwardMode): string {
  const q = JSON.stringify
  const passes = mode.passes.map((pass) => {
    const d = pass.direction
    const direction = d.entry ? `{"entry":${q(d.entry.map((i) => i + 1))}}` : `{"from":${q(d.from)}}`
    const tangents = [[d.node, d.seed] as const, ...pass.rows.map((r) => [r.node, r.tangent] as const)]
      .map(([node, t]) => `${q(trace.nodes[node]!.label)}:${nestedText(t)}`)
      .join(',')
    return `    {"variable":${q(d.variable)},"direction":${direction},"result":${jsonNumber(pass.result)},"reverse":${jsonNumber(pass.reverse)},"agrees":${pass.agrees},"operations":${pass.operations},"tangents":{${tangents}}}`
  })
  return `{\n  "passes": [\n${passes.join(',\n')}\n  ],\n  "costs": ${q({ forward: mode.forward, reverse: mode.reverse })}}`
}

/** A field of a Graphviz record label, and a quoted label, escaped. */
export const record = (text: string) => text.replace(/[\\{}|<>"]/g, (c) => `\\${c}`)
export const quoted = (text: string) => text.replace(/[\\"]/g, (c) => `\\${c}`)

/** A node's label in a graph: name = expression, then shape; values only for scalars (a matrix does not fit a box). */
function graphParts(trace: TensorTrace, i: number, options: TensorRenderOptions): { head: string; shape: string; value?: string; grad?: string } {
  const node = trace.nodes[i]!
  const text = (s: string) => (options.ascii ? W.ascii(s) : s)
  const head = text(node.kind === 'op' ? `${node.label} = ${node.expression}` : node.label)
  const shape = text(shapeCell(node.value!.shape, options.ascii))
  const small = (t: { shape: readonly number[]; data: Float64Array } | undefined) =>
    t && t.data.length === 1 ? valueText(t as never, { precision: options.precision, ascii: options.ascii }) : undefined
  const value = small(node.value)
  const grad = small(trace.grads[i])
  return { head, shape, ...(value !== undefined ? { value } : {}), ...(grad !== undefined ? { grad } : {}) }
}

/** `ids`: each node and edge named (node-3, edge-5, by trace index) for the page to find them in the SVG, as for scalars. */
export function renderTensorDot(trace: TensorTrace, options: TensorRenderOptions, { ids = false } = {}): string {
  const direction = graphDirection(trace.nodes, options.rankdir)
  const lines = dotHeader(direction)
  const text = (s: string) => (options.ascii ? W.ascii(s) : s)
  trace.nodes.forEach((node, i) => {
    const { head, shape, value, grad } = graphParts(trace, i, options)
    const style =
      i === trace.output
        ? 'style=filled, fillcolor="#fde68a", color="#b45309", penwidth=2'
        : node.kind === 'variable'
          ? 'style=filled, fillcolor="#dbeafe", color="#1d4ed8"'
          : node.kind === 'constant'
            ? 'style=filled, fillcolor="#f3f4f6", color="#9ca3af"'
            : 'style=filled, fillcolor="#ffffff", color="#374151"'
    const cells = [head, `shape ${shape}`, ...(value !== undefined ? [`value ${value}`] : []), ...(grad !== undefined ? [`grad ${grad}`] : [])]
    lines.push(`  n${i} [label="${recordLabel(cells.map(record), direction)}", ${style}${ids ? `, id="node-${i}"` : ''}];`)
  })
  const edgeAt = new Map(trace.edges.map((edge, k) => [`${edge.consumer}:${edge.slot}`, k]))
  trace.nodes.forEach((node, to) =>
    node.inputs.forEach((from, slot) => {
      const k = edgeAt.get(`${to}:${slot}`)
      const id = ids && k !== undefined ? `, id="edge-${k}"` : ''
      lines.push(
        k !== undefined
          ? `  n${from} -> n${to} [label="${quoted(text(plainFormula(trace.edges[k]!.formula)))}"${id}];`
          : `  n${from} -> n${to} [style=dashed, color="#9ca3af"];`,
      )
    }),
  )
  lines.push('}')
  return `${lines.join('\n')}\n`
}

export function renderTensorMermaid(trace: TensorTrace, options: TensorRenderOptions): string {
  const quote = (t: string) => t.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')
  const text = (s: string) => (options.ascii ? W.ascii(s) : s)
  const lines = [`flowchart ${graphDirection(trace.nodes, options.rankdir) === 'LR' ? 'LR' : 'TD'}`]
  const classes: Record<'variable' | 'constant' | 'output' | 'op', string[]> = { variable: [], constant: [], output: [], op: [] }
  trace.nodes.forEach((node, i) => {
    const { head, shape, value, grad } = graphParts(trace, i, options)
    const parts = [head, `shape ${shape}`, ...(value !== undefined ? [`value ${value}`] : []), ...(grad !== undefined ? [`grad ${grad}`] : [])]
    lines.push(`  n${i}["${parts.map(quote).join('<br/>')}"]`)
    classes[i === trace.output ? 'output' : node.kind].push(`n${i}`)
  })
  const edgeAt = new Map(trace.edges.map((edge) => [`${edge.consumer}:${edge.slot}`, edge]))
  trace.nodes.forEach((node, to) =>
    node.inputs.forEach((from, slot) => {
      const edge = edgeAt.get(`${to}:${slot}`)
      lines.push(edge ? `  n${from} -->|"${quote(text(plainFormula(edge.formula)))}"| n${to}` : `  n${from} -.-> n${to}`)
    }),
  )
  lines.push(...classLines(classes))
  const out = `${lines.join('\n')}\n`
  const edges = trace.nodes.reduce((n, node) => n + node.inputs.length, 0)
  if (edges > MERMAID.maxEdges || out.length > MERMAID.maxTextSize)
    throw new InputError(`the graph is too large for Mermaid (${edges} edges, ${out.length} characters); --format dot draws it`)
  return out
}
