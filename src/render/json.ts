// --format json: everything the trace holds, as one JSON object. `value` and `gradients` come first
// and are a fixed contract; the rest is documented in ARCHITECTURE.md.
import { formatNumber } from '../format.js'
import { isNumber, printSym, type Sym, type SymStyle } from '../sym.js'
import type { Trace, TraceEdge, TraceNode } from '../trace.js'
import type { Training } from '../modes/train.js'

const STYLE: SymStyle = {
  number: (n) => formatNumber(n),
  times: '*',
  grad: (of, wrt) => `d${of}/d${wrt}`,
  superscripts: false,
  spaced: true,
}

/** A number stays a JSON number; NaN and ±Infinity, which JSON lacks, and expressions become strings. */
export function jsonSym(s: Sym): number | string {
  if (isNumber(s)) return Number.isFinite(s) ? (s === 0 ? 0 : s) : formatNumber(s)
  return printSym(s, STYLE)
}

const str = JSON.stringify
/** A JSON value: a number, or a string where JSON has no number for it. */
const sym = (s: Sym) => (typeof s === 'number' && Number.isFinite(s) ? (s === 0 ? '0' : String(s)) : str(jsonSym(s)))

/** Pre-rendered one-line elements of a big array: nodes and edges are written without building objects. */
class Lines {
  constructor(readonly lines: string[]) {}
}

// Same keys, same order as the documented objects; written by hand because big programs have
// hundreds of thousands of them.
function nodeLine(node: TraceNode, id: (i: number) => string): string {
  return (
    `{"id":${str(node.id)},"label":${str(node.label)},"kind":"${node.kind}"` +
    (node.op ? `,"op":"${node.op}"` : '') +
    (node.assigned ? `,"assigned":${str(node.assigned)}` : '') +
    `,"inputs":[${node.inputs.map((i) => str(id(i))).join(',')}]` +
    (node.expression !== undefined ? `,"expression":${str(printSym(node.expression, STYLE))}` : '') +
    `,"value":${sym(node.value)},"grad":${node.grad === null ? 'null' : sym(node.grad)},"onPath":${node.onPath},"contributions":[${node.contributions.join(',')}]}`
  )
}

function edgeLine(edge: TraceEdge, id: (i: number) => string): string {
  return (
    `{"from":${str(id(edge.from))},"to":${str(id(edge.to))},"slot":${edge.slot},"rule":{"id":"${edge.rule.id}","name":"${edge.rule.name}"}` +
    `,"local":${str(printSym(edge.local, STYLE))},"localValue":${sym(edge.localValue)},"upstream":${sym(edge.upstream)},"contribution":${sym(edge.contribution)}}`
  )
}

/** Text already laid out as JSON, inserted as it is. */
class Raw {
  constructor(readonly text: string) {}
}

/** The --lr run: one line per step, with parameters and gradients keyed by name. */
function trainingJson(training: Training): Raw {
  const byName = (values: number[]) => Object.fromEntries(training.params.map((name, k) => [name, values[k]]))
  const steps = training.steps.map((s) => str({ step: s.step, loss: s.loss, params: byName(s.params), gradients: byName(s.gradients), next: byName(s.next) }))
  const fields = [
    `"lr": ${str(training.lr)}`,
    `"params": ${str(training.params)}`,
    `"data": ${str(training.data)}`,
    `"steps": ${steps.length ? `[\n      ${steps.join(',\n      ')}\n    ]` : '[]'}`,
    `"finalLoss": ${training.finalLoss === undefined ? 'null' : str(training.finalLoss)}`,
    `"divergence": ${training.divergence ? str(training.divergence) : 'null'}`,
  ]
  return new Raw(`{\n    ${fields.join(',\n    ')}\n  }`)
}

/** With a --lr run, its `training` field follows the trace's own. */
export function renderJson(trace: Trace, training?: Training): string {
  const id = (i: number) => trace.nodes[i]!.id
  const body = {
    value: jsonSym(trace.value),
    gradients: Object.fromEntries(trace.gradients.map((g) => [g.name, jsonSym(g.grad)])),
    output: trace.nodes[trace.output]!.label,
    program: trace.source,
    bindings: trace.bindings,
    unbound: trace.unbound,
    nodes: new Lines(trace.nodes.map((node) => nodeLine(node, id))),
    edges: new Lines(trace.edges.map((edge) => edgeLine(edge, id))),
    backward: trace.backward,
    chains: trace.chains.map((chain) => ({
      variable: chain.variable,
      count: jsonSym(chain.count),
      ...(chain.paths ? { paths: chain.paths.map((path) => ({ edges: path.edges, product: jsonSym(path.product) })) } : {}),
    })),
    checks: trace.checks.map((check) => ({
      ...check,
      ...(check.grad !== undefined ? { grad: jsonSym(check.grad) } : {}),
      ...(check.estimate !== undefined ? { estimate: jsonSym(check.estimate) } : {}),
    })),
    flags: trace.flags.map((flag) => ({ ...flag, node: id(flag.node) })),
    notes: trace.notes,
    ...(training ? { training: trainingJson(training) } : {}),
  }
  return `${layout(body)}\n`
}

/**
 * JSON.stringify(body, null, 2), except that each element of a top-level array of objects (nodes,
 * edges, …) is one line and arrays of numbers or strings are one line: readable in a diff, and a
 * third of the size on big programs.
 */
function layout(body: Record<string, unknown>): string {
  const fields = Object.entries(body).map(([key, value]) => {
    const text =
      value instanceof Raw
        ? value.text
        : value instanceof Lines
        ? value.lines.length > 0
          ? `[\n    ${value.lines.join(',\n    ')}\n  ]`
          : '[]'
        : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'object' && v !== null)
        ? `[\n${value.map((v) => `    ${JSON.stringify(v)}`).join(',\n')}\n  ]`
        : Array.isArray(value)
          ? JSON.stringify(value)
          : JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')
    return `  ${JSON.stringify(key)}: ${text}`
  })
  return `{\n${fields.join(',\n')}\n}`
}
