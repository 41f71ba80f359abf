// --format markdown: the tutor's sections as GitHub-flavoured Markdown tables with inline math,
// the chain products as display math, and the graph as a mermaid block: a note that renders on
// GitHub, in Obsidian and in VS Code's preview with nothing else installed.
import type { Trace } from '../trace.js'
import type { Phrase } from '../steps/cells.js'
import { COLUMNS, FORWARD, TITLES } from '../steps/words.js'
import type { RenderOptions } from './index.js'
import { forwardMath, mathSteps, type MathSteps } from './math.js'
import { mermaidFormatTooLarge, mermaidTooLarge, renderMermaid } from './mermaid.js'
import { latexName } from './tex.js'
import { nodeLimit, refuseLarger } from './shared.js'
import { LIMITS } from '../limits.js'

const m = (tex: string) => (tex === '' ? '' : `$${tex}$`)
/** A GFM table; cells never hold a bare | (absolute values are written \lvert … \rvert). */
function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}
const display = (rows: string[]) => `$$\n\\begin{aligned}\n${rows.map((r) => `  ${r}`).join(' \\\\\n')}\n\\end{aligned}\n$$`
/** --explain sentences, and the notation lines, as quoted paragraphs under their heading. */
const quoted = (lines: string[]) => (lines.length > 0 ? ['', ...lines.map((line, k) => `${k > 0 ? '>\n' : ''}> ${line}`)] : [])

/** The program as display math, its values and symbols, and its graph as a mermaid block. */
function header(trace: Trace, steps: MathSteps, options: RenderOptions): string[] {
  const symbolic = trace.unbound.map((name) => m(latexName(name))).join(', ')
  return [
    `## ${TITLES.program}`,
    '',
    display(steps.program.map((row) => `${row.name} &= ${row.expression}`)),
    '',
    `**${TITLES.values}** ${steps.bindings.map(m).join(', ') || TITLES.none}${symbolic ? ` · **${TITLES.symbolic}** ${symbolic}` : ''}`,
    '',
    `## ${TITLES.graph}`,
    '',
    ...graphBlock(trace, options),
  ]
}

/**
 * GitHub reads Markdown's backslash escapes before it hands $…$ to its math renderer, so
 * \mathrm{learning\_rate} would reach it as learning_rate, a subscript. A name with _ or $ is
 * written \text{learning\textunderscore rate} instead: no Markdown escape in it, the same in
 * KaTeX, Obsidian and VS Code.
 */
const markdownSafe = (text: string) =>
  text.replace(
    /\\mathrm\{([^{}]*\\[_$][^{}]*)\}/g,
    (_, name: string) => `\\text{${name.replace(/\\_/g, '\\textunderscore ').replace(/\\\$/g, '\\textdollar ')}}`,
  )

/** The mermaid block, or where Mermaid would not draw it, a line saying so (the note stays whole). */
function graphBlock(trace: Trace, options: RenderOptions): string[] {
  // Too many edges is known before the graph is written (a big note writes none).
  const text = mermaidFormatTooLarge(trace.nodes) ? '' : renderMermaid(trace, options).trimEnd()
  const why = mermaidTooLarge(trace, text)
  return why ? [`*Not drawn here: ${why}; \`--format dot\` or \`svg\` draws it.*`] : ['```mermaid', text, '```']
}

export const markdownTooLarge = nodeLimit(LIMITS.maxNoteNodes, '--format markdown', '--format json or the tables write a program of any size')

export function renderMarkdown(trace: Trace, options: RenderOptions): string {
  refuseLarger(markdownTooLarge(trace.nodes))
  const steps = mathSteps(trace, options, 'markdown')
  const { explain } = steps
  const heading = (title: Phrase) => `## ${steps.face.text(title)}`
  const parts: string[] = header(trace, steps, options)
  parts.push(
    '',
    heading(TITLES.markdown.forward()),
    ...quoted(explain.forward),
    '',
    table(
      COLUMNS.forward,
      steps.forward.map((f) => [m(f.node), f.op, m(f.expression), m(f.value)]),
    ),
  )
  const mode = options.mode ?? 'reverse'
  const forward = options.forward
  if (mode !== 'forward') parts.push(...reverseParts(steps))
  if (forward) {
    const fm = forwardMath(trace, forward, options, steps.face, mode === 'both' ? (steps.chains.length > 0 ? 6 : 5) : 2)
    for (const pass of fm.passes) {
      parts.push('', `## ${pass.title}`, ...quoted(pass.explain), '')
      parts.push(
        table(
          FORWARD.columns().map(steps.face.text),
          pass.rows.map((r) => [m(r.tangent), m(r.rule), r.values ? m(r.values) : '', m(r.value)]),
        ),
      )
      parts.push('', pass.result)
    }
    parts.push('', `## ${fm.compareTitle}`, '', ...fm.comparison.map((line) => `- ${line}`))
  }
  // Loops, not push(...list): a note may have tens of thousands of warnings.
  if (steps.warnings.length > 0) parts.push('', `## ${TITLES.warnings}`, '')
  for (const w of steps.warnings) parts.push(`- ${w}`)
  if (trace.notes.length > 0) parts.push('', `## ${TITLES.notes}`, '')
  for (const n of trace.notes) parts.push(`- ${n}`)
  return `${markdownSafe(parts.join('\n'))}\n`
}

/** The reverse-mode sections: local derivatives, backward pass, chains, gradients. */
function reverseParts(steps: MathSteps): string[] {
  const { explain } = steps
  const heading = (title: Phrase) => `## ${steps.face.text(title)}`
  const out = steps.lesson.out
  const parts: string[] = []
  if (steps.locals.length > 0) {
    parts.push('', heading(TITLES.markdown.locals()), ...quoted([...explain.locals, ...steps.notation]), '')
    parts.push(
      table(
        COLUMNS.locals,
        steps.locals.map((l) => [m(l.local), l.rule, m(l.symbolic), m(l.value)]),
      ),
      ...quoted(explain.localsAfter),
    )
  }
  parts.push(
    '',
    heading(TITLES.markdown.backward(out)),
    ...quoted(explain.backward),
    '',
    table(
      COLUMNS.backward().map(steps.face.text),
      steps.backward.map((b) => [m(b.gradient), m(b.product), m(b.values), m(b.contribution)]),
    ),
    ...quoted(explain.backwardAfter),
  )
  if (steps.chains.length > 0) parts.push('', heading(TITLES.markdown.chains()), ...quoted(explain.chains), '', display(steps.chains))
  if (steps.gradients.length > 0) {
    // ∂L/∂variable: the column's word upright as text, not as a program name.
    const head = COLUMNS.gradients(out).map((column, k) =>
      k === 1 ? m(`\\frac{\\partial ${latexName(out)}}{\\partial \\text{variable}}`) : steps.face.text(column),
    )
    parts.push(
      '',
      heading(TITLES.markdown.gradients(steps.chains.length > 0 ? 5 : 4)),
      ...quoted(explain.gradients),
      '',
      table(
        head,
        steps.gradients.map((g) => [m(g.variable), m(g.grad), m(g.estimate), g.check]),
      ),
    )
  }
  return parts
}
