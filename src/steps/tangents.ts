// Forward mode as rows of cells, for every face: one row per node of a tangent pass, written the
// way the backward table writes a contribution (local · incoming = tangent).
import type { ForwardMode, TangentPass } from '../modes/forward.js'
import type { Trace } from '../trace.js'
import { factor, local, product, tangent, type Cell, type Phrase } from './cells.js'
import { FORWARD, chainSelected } from './words.js'

export interface TangentLine {
  tangent: Cell
  /** Σ local · incoming tangent, as derivatives; the seed's word for the input's own row. */
  rule: Phrase
  /** The same with the numbers in; empty for the seed. */
  values: Phrase
  value: Cell
}

/** The rows of one pass: the seed, then each node that depends on the input. */
export function tangentLines(trace: Trace, pass: TangentPass): TangentLine[] {
  const label = (i: number) => trace.nodes[i]!.label
  const lines: TangentLine[] = [{ tangent: tangent(pass.variable), rule: [FORWARD.seed], values: [], value: { kind: 'value', value: 1 } }]
  for (const row of pass.rows) {
    const rule: Phrase = []
    const values: Phrase = []
    row.edges.forEach((e, k) => {
      const edge = trace.edges[e]!
      if (k > 0) (rule.push(' + '), values.push(' + '))
      rule.push(product(local(trace, edge), tangent(label(edge.from))))
      values.push(product(factor(edge.localValue), factor(row.incoming[k]!)))
    })
    // The tangent is the backward pass's product here (0, not ∞·0; NaN from ∞ - ∞): say why.
    if (row.selected !== undefined) values.push(' ', ...chainSelected(trace.nodes[trace.edges[row.selected]!.to]!.op!))
    else if (row.reordered) values.push(' ', FORWARD.reordered)
    lines.push({ tangent: tangent(label(row.node)), rule, values, value: { kind: 'value', value: row.tangent } })
  }
  return lines
}

/** ∂L/∂x = L̇ = …: the pass's result against the backward pass, and why where a tangent was taken in its order. */
export const tangentResult = (trace: Trace, pass: TangentPass): Phrase =>
  FORWARD.result(
    trace.nodes[trace.output]!.label,
    pass.variable,
    pass.result,
    pass.agrees,
    pass.rows.some((r) => r.reordered && r.selected === undefined),
  )

/** The closing lines: what each mode cost, whether they agree, and when each wins. */
export function comparison(trace: Trace, mode: ForwardMode): Phrase[] {
  const compared = mode.passes.filter((p) => p.agrees !== undefined)
  const all = compared.every((p) => p.agrees)
  return [
    FORWARD.costs('forward', mode.forward.passes, mode.forward.operations, trace.gradients.length),
    FORWARD.costs('reverse', mode.reverse.passes, mode.reverse.operations, trace.gradients.length),
    FORWARD.agreement(all, compared.length, mode.passes.length),
    FORWARD.why(),
  ]
}
