// --format markdown: the tutor's sections as GitHub-flavoured Markdown tables with inline math,
// the chain products as display math, and the graph as a mermaid block: a note that renders on
// GitHub, in Obsidian and in VS Code's preview with nothing else installed.
import type { Trace } from '../trace.js'
import type { RenderOptions } from './index.js'
import { mathSteps } from './math.js'
import { renderMermaid } from './mermaid.js'
import { latexName, latexPartial } from './tex.js'

const m = (tex: string) => (tex === '' ? '' : `$${tex}$`)
/** A GFM table; cells never hold a bare | (absolute values are written \lvert … \rvert). */
function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}
const display = (rows: string[]) => `$$\n\\begin{aligned}\n${rows.map((r) => `  ${r}`).join(' \\\\\n')}\n\\end{aligned}\n$$`

export function renderMarkdown(trace: Trace, options: RenderOptions): string {
  const steps = mathSteps(trace, options)
  const out = trace.nodes[trace.output]!.label
  const parts: string[] = []
  parts.push('## Program', '', display(steps.program.map((row) => row.replace(' = ', ' &= '))))
  const symbolic = trace.unbound.map((name) => m(latexName(name))).join(', ')
  parts.push('', `**Values** ${steps.bindings.map(m).join(', ') || 'none'}${symbolic ? ` · **Symbolic** ${symbolic}` : ''}`)
  parts.push('', '## Computational graph', '', '```mermaid', renderMermaid(trace, options).trimEnd(), '```')
  parts.push('', '## 1. Forward pass', '', table(['node', 'op', 'expression', 'value'], steps.forward.map((f) => [m(f.node), f.op, m(f.expression), m(f.value)])))
  if (steps.locals.length > 0) {
    parts.push('', '## 2. Local derivatives: ① each node with respect to each input', '', table(['local derivative', 'rule', 'symbolic', 'value'], steps.locals.map((l) => [m(l.local), l.rule, m(l.symbolic), m(l.value)])))
  }
  parts.push(
    '',
    `## 3. Backward pass: ② multiply along the chain from ${m(latexName(out))} (upstream · local = contribution)`,
    '',
    table(['gradient', 'upstream · local', 'values', 'contribution'], steps.backward.map((b) => [m(b.gradient), m(b.product), m(b.values), m(b.contribution)])),
  )
  if (steps.chains.length > 0) parts.push('', '## 4. Chains: every path from the output to each variable', '', display(steps.chains))
  if (steps.gradients.length > 0) {
    parts.push(
      '',
      '## 5. Gradients, checked against finite differences',
      '',
      table(['variable', m(latexPartial(out, 'variable').replace('\\mathrm{variable}', '\\text{variable}')), 'finite difference', 'check'], steps.gradients.map((g) => [m(g.variable), m(g.grad), m(g.estimate), g.check])),
    )
  }
  if (trace.flags.length > 0) parts.push('', '## Warnings', '', ...trace.flags.map((f) => `- ${f.message}`))
  if (trace.notes.length > 0) parts.push('', '## Notes', '', ...trace.notes.map((n) => `- ${n}`))
  return `${parts.join('\n')}\n`
}
