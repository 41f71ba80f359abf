// --format json: everything the trace holds, as one JSON object. `value` and `gradients` come first
// and are a fixed contract; the rest is documented in ARCHITECTURE.md.
import { DEFAULT_PRECISION, formatNumber } from '../format.js'
import { isNumber, isTooLong, printSym, type Sym, type SymStyle } from '../sym.js'
import type { Trace, TraceEdge, TraceNode } from '../trace.js'
import type { Training } from '../modes/train.js'
import type { ForwardMode } from '../modes/forward.js'
import { CHUNK_LINES, joined } from './shared.js'
import { TRAINING, checkReasonText, divergenceText, flagText } from '../steps/words.js'
import { notation } from '../steps/text.js'
import { local } from '../steps/cells.js'

/** Sentences in JSON (flags, reasons) are written as the terminal writes them, at the default precision. */
const text = notation({ ascii: false, precision: DEFAULT_PRECISION })

const STYLE: SymStyle = {
  number: (n) => formatNumber(n),
  times: '*',
  grad: (of, wrt) => `d${of}/d${wrt}`,
  superscripts: false,
  spaced: true,
}

/**
 * A number stays a JSON number; NaN and ±Infinity, which JSON lacks, and expressions become
 * strings; an expression too long to show is `{"tooLong": true}`.
 */
export function jsonSym(s: Sym): number | string | { tooLong: true } {
  if (isTooLong(s)) return { tooLong: true }
  if (isNumber(s)) return Number.isFinite(s) ? (s === 0 ? 0 : s) : formatNumber(s)
  return printSym(s, STYLE)
}

const str = JSON.stringify
/** A JSON value: a number, or a string where JSON has no number for it. */
const sym = (s: Sym) => (typeof s === 'number' && Number.isFinite(s) ? (s === 0 ? '0' : String(s)) : str(jsonSym(s)))

/** Lines of a big array (nodes, edges), made one at a time as the output is written. */
class Lines {
  constructor(
    readonly count: number,
    readonly line: (k: number) => string,
  ) {}
}

// Same keys, same order as the documented objects; written by hand because big programs have
// hundreds of thousands of them. Expressions are quoted without escaping: they are made of the
// program's names (identifiers, checked by the parser), numbers and operator signs, none of which
// JSON escapes (a test parses the output of every operator).
function nodeLine(node: TraceNode, i: number, quoted: string[]): string {
  let inputs = ''
  for (let k = 0; k < node.inputs.length; k++) inputs += (k > 0 ? ',' : '') + quoted[node.inputs[k]!]
  return (
    `{"id":${quoted[i]},"label":${node.label === node.id ? quoted[i] : str(node.label)},"kind":"${node.kind}"` +
    (node.op ? `,"op":"${node.op}"` : '') +
    (node.assigned ? `,"assigned":${str(node.assigned)}` : '') +
    `,"inputs":[${inputs}]` +
    (node.expression !== undefined ? `,"expression":"${printSym(node.expression, STYLE)}"` : '') +
    `,"value":${sym(node.value)},"grad":${node.grad === null ? 'null' : sym(node.grad)},"onPath":${node.onPath},"contributions":[${node.contributions.join(',')}]}`
  )
}

/** Local derivatives named as the text faces name them, in the JSON's ASCII notation: d(x*w)/dx. */
const NAMES = notation({ ascii: true, precision: undefined })

/**
 * An edge's local derivative named: from its consumer's expression as the node's line writes it,
 * or, for an input used twice, with marks.
 */
function edgeName(trace: Trace, edge: TraceEdge, expression: () => string): string {
  const consumer = trace.nodes[edge.to]!
  const twice = consumer.inputs.length > 1 && consumer.inputs[0] === consumer.inputs[1]
  return twice ? NAMES.print(local(trace, edge)) : NAMES.local(consumer.op!, expression(), trace.nodes[edge.from]!.label)
}

// Names are quoted without escaping, as expressions are (see nodeLine).
function edgeLine(trace: Trace, edge: TraceEdge, quoted: string[], expression: () => string): string {
  return (
    `{"from":${quoted[edge.from]},"to":${quoted[edge.to]},"slot":${edge.slot},"name":"${edgeName(trace, edge, expression)}","rule":{"id":"${edge.rule.id}","name":"${edge.rule.name}"}` +
    `,"local":"${printSym(edge.local, STYLE)}","localValue":${sym(edge.localValue)},"upstream":${sym(edge.upstream)},"contribution":${sym(edge.contribution)}}`
  )
}

/** Text already laid out as JSON, inserted as it is. */
class Raw {
  constructor(readonly text: string) {}
}

/** The --lr run: one line per step, with parameters and gradients keyed by name. */
function trainingJson(training: Training, out: string): Raw {
  const byName = (values: number[]) => Object.fromEntries(training.params.map((name, k) => [name, values[k]]))
  const steps = training.steps.map((s) => str({ step: s.step, loss: s.loss, params: byName(s.params), gradients: byName(s.gradients), next: byName(s.next) }))
  const fields = [
    `"lr": ${str(training.lr)}`,
    `"params": ${str(training.params)}`,
    `"data": ${str(training.data)}`,
    `"steps": ${steps.length ? `[\n      ${steps.join(',\n      ')}\n    ]` : '[]'}`,
    `"finalLoss": ${training.finalLoss === undefined ? 'null' : str(training.finalLoss)}`,
    `"divergence": ${training.divergence ? str({ ...training.divergence, value: jsonSym(training.divergence.value), ...(training.divergence.code === 'loss-rose' ? { from: jsonSym(training.divergence.from) } : {}), message: text.print(divergenceText(training.divergence, out)) }) : 'null'}`,
    `"firstRise": ${training.firstRise ? str({ ...training.firstRise, message: text.print(TRAINING.rise(training.firstRise, training.lr)) }) : 'null'}`,
    `"everyVariable": ${training.everyVariable}`,
  ]
  return new Raw(`{\n    ${fields.join(',\n    ')}\n  }`)
}

/** --mode forward/both: each input's tangent pass (tangents by node id), its result, and both modes' costs. */
function forwardJson(trace: Trace, mode: ForwardMode): Record<string, unknown> {
  return {
    passes: mode.passes.map((pass) => ({
      variable: pass.variable,
      result: jsonSym(pass.result),
      agrees: pass.agrees ?? null,
      operations: pass.operations,
      tangents: Object.fromEntries([[trace.nodes[pass.node]!.id, 1], ...pass.rows.map((row) => [trace.nodes[row.node]!.id, jsonSym(row.tangent)])]),
    })),
    costs: { forward: mode.forward, reverse: mode.reverse },
  }
}

/** With a --lr run, its `training` field follows the trace's own. */
export function renderJson(trace: Trace, training?: Training, forward?: ForwardMode): string {
  return joined(jsonChunks(trace, training, forward))
}

/**
 * The JSON in pieces, for writing as it is made: the nodes and edges of a big program are a few
 * megabytes, and text that is written and dropped at once costs the garbage collector almost nothing.
 */
export function* jsonChunks(trace: Trace, training?: Training, forward?: ForwardMode): Generator<string> {
  const id = (i: number) => trace.nodes[i]!.id
  // Each consumer's expression, written again for the names of its edges, which come together:
  // once per consumer, and not kept for all nodes (a big program's JSON is written as it is made).
  let lastConsumer = -1
  let lastExpression = ''
  const consumerExpression = (to: number) => {
    if (to !== lastConsumer) {
      lastConsumer = to
      lastExpression = printSym(trace.nodes[to]!.expression!, STYLE)
    }
    return lastExpression
  }
  // Each id is quoted once: nodes and edges name each node several times.
  const quoted = trace.nodes.map((node) => str(node.id))
  const body = {
    value: jsonSym(trace.value),
    gradients: Object.fromEntries(trace.gradients.map((g) => [g.name, jsonSym(g.grad)])),
    output: trace.nodes[trace.output]!.label,
    program: trace.source,
    bindings: trace.bindings,
    unbound: trace.unbound,
    nodes: new Lines(trace.nodes.length, (i) => nodeLine(trace.nodes[i]!, i, quoted)),
    edges: new Lines(trace.edges.length, (e) => edgeLine(trace, trace.edges[e]!, quoted, () => consumerExpression(trace.edges[e]!.to))),
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
      ...(check.fUp !== undefined ? { fUp: jsonSym(check.fUp), fDown: jsonSym(check.fDown!) } : {}),
      // The reason as the terminal says it, and its code for tools.
      ...(check.reason ? { reason: text.print(checkReasonText(trace, check.variable, check.reason)), code: check.reason.code } : {}),
    })),
    flags: trace.flags.map((flag) => ({
      ...flag,
      node: id(flag.node),
      ...(flag.through !== undefined ? { through: id(flag.through) } : {}),
      message: text.print(flagText(trace, flag)),
    })),
    notes: trace.notes,
    ...(training ? { training: trainingJson(training, trace.nodes[trace.output]!.label) } : {}),
    ...(forward ? { forward: forwardJson(trace, forward) } : {}),
  }
  yield* layout(body)
}

/**
 * JSON.stringify(body, null, 2), except that each element of a top-level array of objects (nodes,
 * edges, …) is one line and arrays of numbers or strings are one line: readable in a diff, and a
 * third of the size on big programs.
 */
function* layout(body: Record<string, unknown>): Generator<string> {
  let chunk = '{\n'
  let first = true
  for (const [key, value] of Object.entries(body)) {
    chunk += `${first ? '' : ',\n'}  ${JSON.stringify(key)}: `
    first = false
    if (value instanceof Lines) {
      if (value.count === 0) {
        chunk += '[]'
        continue
      }
      chunk += '[\n    '
      for (let k = 0; k < value.count; k++) {
        chunk += (k > 0 ? ',\n    ' : '') + value.line(k)
        if (k % CHUNK_LINES === CHUNK_LINES - 1) {
          yield chunk
          chunk = ''
        }
      }
      chunk += '\n  ]'
      continue
    }
    chunk +=
      value instanceof Raw
        ? value.text
        : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'object' && v !== null)
          ? `[\n${value.map((v) => `    ${JSON.stringify(v)}`).join(',\n')}\n  ]`
          : Array.isArray(value)
            ? JSON.stringify(value)
            : JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')
  }
  yield `${chunk}\n}\n`
}
