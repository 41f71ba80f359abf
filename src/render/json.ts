// --format json: everything the trace holds, as one JSON object. `value` and `gradients` come first
// and are a fixed contract; the rest is documented in ARCHITECTURE.md.
import { formatNumber } from '../format.js'
import { isNumber, printSym, type Sym, type SymStyle } from '../sym.js'
import type { Trace } from '../trace.js'

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

export function renderJson(trace: Trace): string {
  const id = (i: number) => trace.nodes[i]!.id
  const body = {
    value: jsonSym(trace.value),
    gradients: Object.fromEntries(trace.gradients.map((g) => [g.name, jsonSym(g.grad)])),
    output: trace.nodes[trace.output]!.label,
    program: trace.source,
    bindings: trace.bindings,
    unbound: trace.unbound,
    nodes: trace.nodes.map((node) => ({
      id: node.id,
      label: node.label,
      kind: node.kind,
      ...(node.op ? { op: node.op } : {}),
      ...(node.assigned ? { assigned: node.assigned } : {}),
      inputs: node.inputs.map(id),
      ...(node.expression !== undefined ? { expression: printSym(node.expression, STYLE) } : {}),
      value: jsonSym(node.value),
      grad: node.grad === null ? null : jsonSym(node.grad),
      onPath: node.onPath,
      contributions: node.contributions,
    })),
    edges: trace.edges.map((edge) => ({
      from: id(edge.from),
      to: id(edge.to),
      slot: edge.slot,
      rule: { id: edge.rule.id, name: edge.rule.name },
      local: printSym(edge.local, STYLE),
      localValue: jsonSym(edge.localValue),
      upstream: jsonSym(edge.upstream),
      contribution: jsonSym(edge.contribution),
    })),
    backward: trace.backward,
    chains: trace.chains.map((chain) => ({
      variable: chain.variable,
      count: chain.count,
      ...(chain.paths ? { paths: chain.paths.map((path) => ({ edges: path.edges, product: jsonSym(path.product) })) } : {}),
    })),
    checks: trace.checks.map((check) => ({
      ...check,
      ...(check.grad !== undefined ? { grad: jsonSym(check.grad) } : {}),
      ...(check.estimate !== undefined ? { estimate: jsonSym(check.estimate) } : {}),
    })),
    flags: trace.flags.map((flag) => ({ ...flag, node: id(flag.node) })),
    notes: trace.notes,
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
      Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'object' && v !== null)
        ? `[\n${value.map((v) => `    ${JSON.stringify(v)}`).join(',\n')}\n  ]`
        : Array.isArray(value)
          ? JSON.stringify(value)
          : JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')
    return `  ${JSON.stringify(key)}: ${text}`
  })
  return `{\n${fields.join(',\n')}\n}`
}
