// --format latex: the trace as LaTeX in the notation of a hand-written trace (\frac{\partial L}
// {\partial t_2}), a fragment to \input, or with --standalone a whole document.
import type { Trace } from '../trace.js'
import { TITLES } from '../steps/words.js'
import type { RenderOptions } from './index.js'
import { align, forwardMath, mathSteps, type MathSteps } from './math.js'
import { latexName } from './tex.js'
import { nodeLimit, refuseLarger } from './shared.js'
import { LIMITS } from '../limits.js'

export const latexTooLarge = nodeLimit(LIMITS.maxNoteNodes, '--format latex', '--format json or the tables write a program of any size')

export function renderLatex(trace: Trace, options: RenderOptions): string {
  refuseLarger(latexTooLarge(trace.nodes))
  const steps = mathSteps(trace, options, 'latex')
  const { explain } = steps
  const out: string[] = []
  /** A paragraph: its title, sentences before its rows (--explain, notation), the rows, sentences after. */
  const section = (title: string, rows: string[], before: string[] = [], after: string[] = []) => {
    if (rows.length === 0) return
    out.push(`\\paragraph{${title}}`, ...before.map((line) => `${line}\n`), align(rows), '')
    if (after.length > 0) out.push(...after.map((line) => `${line}\n`))
  }
  // A loop, not push(...lines): a program of a million blank lines would overflow the stack.
  out.push('% backprop-tutor trace of:')
  for (const line of trace.source.split('\n')) out.push(`%   ${line}`)
  out.push('')
  section(
    TITLES.program,
    steps.program.map((row) => `${row.name} &= ${row.expression}`),
  )
  const symbolic = trace.unbound.map((name) => `$${latexName(name)}$`).join(', ')
  out.push(`${TITLES.values}: ${steps.bindings.map((b) => `$${b}$`).join(', ') || TITLES.none}.${symbolic ? ` ${TITLES.symbolic}: ${symbolic}.` : ''}`, '')
  section(
    TITLES.latex.forward,
    steps.forward.map((f) =>
      f.op === 'variable' ? `${f.node} &= ${f.value} && \\text{variable}` : `${f.node} &= ${f.expression} = ${f.value} && \\text{${f.op}}`,
    ),
    explain.forward,
  )
  const mode = options.mode ?? 'reverse'
  if (mode !== 'forward') reverseSections(steps, section)
  const forward = options.forward
  if (forward) {
    const fm = forwardMath(trace, forward, options, steps.face, mode === 'both' ? 6 : 2)
    for (const pass of fm.passes) {
      section(
        pass.title,
        pass.rows.map((r) => (r.values ? `${r.tangent} &= ${r.rule} = ${r.values} = ${r.value}` : `${r.tangent} &= ${r.value} && ${r.rule}`)),
        pass.explain,
        [pass.result],
      )
    }
    out.push(`\\paragraph{${fm.compareTitle}}`, ...fm.comparison.map((line) => `${line}\n`))
  }
  // Printed, as the other faces print them: a % comment never reached the page a student reads.
  if (steps.warnings.length > 0) {
    out.push(`\\paragraph{${TITLES.warnings}}`, '\\begin{itemize}')
    for (const warning of steps.warnings) out.push(`  \\item ${warning}`)
    out.push('\\end{itemize}')
  }
  const body = `${out.join('\n').trimEnd()}\n`
  if (!options.standalone) return body
  // \allowdisplaybreaks: a long align* block breaks across pages instead of running off the last one.
  return `\\documentclass{article}\n\\usepackage{amsmath}\n\\allowdisplaybreaks\n\\begin{document}\n\n${body}\n\\end{document}\n`
}

/** The reverse-mode paragraphs: local derivatives, backward pass, chains, gradients. */
function reverseSections(steps: MathSteps, section: (title: string, rows: string[], before?: string[], after?: string[]) => void): void {
  const { explain } = steps
  section(
    TITLES.latex.locals,
    steps.locals.map((l) => `${l.local} &= ${l.symbolic}${l.symbolic === l.value ? '' : ` = ${l.value}`} && \\text{${l.rule} rule}`),
    [...explain.locals, ...steps.notation],
    explain.localsAfter,
  )
  section(
    TITLES.latex.backward,
    steps.backward.map((b) =>
      b.values ? `${b.gradient} &= ${b.product} = ${b.values} = ${b.contribution}` : `${b.gradient} &= ${b.contribution} && ${b.product}`,
    ),
    explain.backward,
    explain.backwardAfter,
  )
  section(TITLES.latex.chains, steps.chains, explain.chains)
  section(
    TITLES.latex.gradients,
    steps.gradients.map(
      (g) => `${g.partial} &= ${g.grad} && ${g.estimate ? `\\text{finite difference } ${g.estimate}\\text{, ${g.check}}` : `\\text{${g.check}}`}`,
    ),
    explain.gradients,
  )
}
