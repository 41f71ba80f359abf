// --format latex: the trace as LaTeX in the notation of a hand-written trace (\frac{\partial L}
// {\partial t_2}), a fragment to \input, or with --standalone a whole document.
import type { Trace } from '../trace.js'
import type { RenderOptions } from './index.js'
import { align, mathSteps } from './math.js'
import { latexName } from './tex.js'

export function renderLatex(trace: Trace, options: RenderOptions): string {
  const steps = mathSteps(trace, options)
  const out: string[] = []
  const section = (title: string, rows: string[]) => {
    if (rows.length > 0) out.push(`\\paragraph{${title}}`, align(rows), '')
  }
  out.push('% backprop-tutor trace of:', ...trace.source.split('\n').map((line) => `%   ${line}`), '')
  section('Program', steps.program.map((row) => row.replace(' = ', ' &= ')))
  const symbolic = trace.unbound.map((name) => `$${latexName(name)}$`).join(', ')
  out.push(`Values: ${steps.bindings.map((b) => `$${b}$`).join(', ') || 'none'}.${symbolic ? ` Symbolic: ${symbolic}.` : ''}`, '')
  section('Forward pass', steps.forward.map((f) => (f.op === 'variable' ? `${f.node} &= ${f.value} && \\text{variable}` : `${f.node} &= ${f.expression} = ${f.value} && \\text{${f.op}}`)))
  section('Step 1: local derivatives', steps.locals.map((l) => `${l.local} &= ${l.symbolic}${l.symbolic === l.value ? '' : ` = ${l.value}`} && \\text{${l.rule} rule}`))
  section(
    'Step 2: backward pass (upstream times local)',
    steps.backward.map((b) => (b.values ? `${b.gradient} &= ${b.product} = ${b.values} = ${b.contribution}` : `${b.gradient} &= ${b.contribution} && ${b.product}`)),
  )
  section('Chains', steps.chains)
  section('Gradients', steps.gradients.map((g) => `${g.partial} &= ${g.grad} && ${g.estimate ? `\\text{finite difference } ${g.estimate}\\text{, ${g.check}}` : `\\text{${g.check}}`}`))
  for (const flag of trace.flags) out.push(`% warning: ${flag.message}`)
  const body = `${out.join('\n').trimEnd()}\n`
  if (!options.standalone) return body
  return `\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n\n${body}\n\\end{document}\n`
}
