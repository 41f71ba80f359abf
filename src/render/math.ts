// The trace's steps as LaTeX rows (lhs &= rhs), for the latex format's align* blocks and the
// markdown format's tables and display math. One place decides how each step is written.
import type { Trace, TraceEdge } from '../trace.js'
import { latexName, latexNumber, latexPartial, latexSym } from './tex.js'
import { SUM_TERMS, backwardRows, expand, repeatedArgument, statementNodes } from './shared.js'
import type { RenderOptions } from './index.js'


export interface MathSteps {
  /** Each statement as parsed: `L = \left(x \cdot w + b - y\right)^{2}`. */
  program: string[]
  bindings: string[]
  /** Per node (not constants): name, op, expression in its inputs, value. */
  forward: { node: string; op: string; expression: string; value: string }[]
  /** Per edge on the output's path: ∂to/∂from, rule, symbolic, value. */
  locals: { local: string; rule: string; symbolic: string; value: string }[]
  /** Backward pass rows in visiting order, fan-out sums included. */
  backward: { gradient: string; product: string; values: string; contribution: string }[]
  /** align rows of the chain products per variable. */
  chains: string[]
  /** Per variable: gradient, finite-difference estimate, check status. */
  gradients: { variable: string; partial: string; grad: string; estimate: string; check: string }[]
}

export function mathSteps(trace: Trace, options: RenderOptions): MathSteps {
  const p = options.precision
  const sym = (s: Parameters<typeof latexSym>[0]) => latexSym(s, p)
  const out = trace.nodes[trace.output]!.label
  const label = (i: number) => trace.nodes[i]!.label
  const local = (edge: TraceEdge) => {
    const argument = repeatedArgument(trace, edge)
    return latexPartial(label(edge.to), label(edge.from)) + (argument ? `_{[${argument}]}` : '')
  }
  const factor = (s: Parameters<typeof latexSym>[0]) => {
    const text = sym(s)
    return (typeof s === 'number' && s < 0) || (typeof s === 'object' && 'op' in s) ? `\\left(${text}\\right)` : text
  }
  const sum = (terms: Parameters<typeof latexSym>[0][]) =>
    terms.slice(0, SUM_TERMS).map(factor).join(' + ') + (terms.length > SUM_TERMS ? ` + \\dots \\text{ (${terms.length} terms)}` : '')
  const wrt = options.wrt && options.wrt.length > 0 ? new Set(options.wrt) : undefined

  const backward: MathSteps['backward'] = [{ gradient: latexPartial(out, out), product: '\\text{seed}', values: '', contribution: '1' }]
  for (const row of backwardRows(trace, wrt)) {
    if (row.kind === 'contribution') {
      const { edge, k, total } = row
      backward.push({
        gradient: latexPartial(out, label(edge.from)) + (total > 1 ? `\\ \\text{(${k} of ${total})}` : ''),
        product: `${latexPartial(out, label(edge.to))} \\cdot ${local(edge)}`,
        values: `${factor(edge.upstream)} \\cdot ${factor(edge.localValue)}`,
        contribution: sym(edge.contribution),
      })
    } else {
      const target = trace.nodes[row.node]!
      backward.push({
        gradient: latexPartial(out, target.label),
        product: `\\text{sum of ${row.total} contributions}`,
        values: sum(target.contributions.map((x) => trace.edges[x]!.contribution)),
        contribution: sym(target.grad ?? 0),
      })
    }
  }

  // gradients, chains and checks are all in variable order: one index reads all three.
  const selected = trace.gradients.flatMap((g, k) => (!wrt || wrt.has(g.name) ? [k] : []))
  const chains: string[] = []
  for (const v of selected) {
    const chain = trace.chains[v]!
    const grad = latexPartial(out, chain.variable)
    if (chain.count === 0) {
      chains.push(`${grad} &= 0 && \\text{no path}`)
    } else if (!chain.paths) {
      const count = Number.isFinite(chain.count) && chain.count <= Number.MAX_SAFE_INTEGER ? String(chain.count) : `\\text{more than } ${latexNumber(Math.min(chain.count, Number.MAX_VALUE), 3)}`
      chains.push(`${grad} &: ${count} \\text{ paths, summed in the backward pass}`)
    } else {
      for (const [k, path] of chain.paths.entries()) {
        const lhs = chain.paths.length > 1 ? `\\text{path ${k + 1}}` : grad
        chains.push(`${lhs} &= ${path.edges.map((e) => local(trace.edges[e]!)).join(' \\cdot ')}`)
        chains.push(`&= ${path.edges.map((e) => factor(trace.edges[e]!.localValue)).join(' \\cdot ')} = ${sym(path.product)}`)
      }
      if (chain.paths.length > 1) {
        const total = trace.gradients[v]!.grad
        chains.push(`${grad} &= ${sum(chain.paths.map((path) => path.product))} = ${sym(total)}`)
      }
    }
  }

  return {
    program: statementNodes(trace).map((i) => `${latexName(label(i))} = ${sym(expand(trace, i))}`),
    bindings: Object.entries(trace.bindings).map(([k, v]) => `${latexName(k)} = ${latexNumber(v, p)}`),
    forward: trace.nodes.flatMap((node) =>
      node.kind === 'constant'
        ? []
        : [{ node: latexName(node.label), op: node.kind === 'variable' ? 'variable' : node.op!, expression: node.expression ? sym(node.expression) : '', value: sym(node.value) }],
    ),
    locals: trace.edges
      .filter((edge) => trace.nodes[edge.to]!.onPath)
      .map((edge) => ({ local: local(edge), rule: edge.rule.name, symbolic: sym(edge.local), value: sym(edge.localValue) })),
    backward,
    chains,
    gradients: selected.map((v) => {
      const g = trace.gradients[v]!
      const check = trace.checks[v]
      return {
        variable: latexName(g.name),
        partial: latexPartial(out, g.name),
        grad: sym(g.grad),
        estimate: check?.estimate !== undefined ? latexNumber(check.estimate, p) : '',
        check: check ? (check.status === 'not-checked' ? 'not checked' : check.status === 'agree' ? 'agrees' : check.status) : '',
      }
    }),
  }
}

/** Rows of an align* environment. */
export function align(rows: string[]): string {
  return `\\begin{align*}\n${rows.map((r) => `  ${r}`).join(' \\\\\n')}\n\\end{align*}`
}
