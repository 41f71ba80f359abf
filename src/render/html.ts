// --format html: one self-contained page that steps through the lesson beside the graph. The
// graph is drawn by the same Graphviz (WebAssembly) as --format svg, at render time; the steps are
// the lesson's rows in the terminal's notation; style, script and data are inlined, so the page
// opens from file:// with no network. --quiz asks each step before it is shown.
import type { Trace } from '../trace.js'
import { LIMITS } from '../limits.js'
import { isNumber, type Sym } from '../sym.js'
import { lesson } from '../steps/lesson.js'
import { contributionOf, GRAPH, PAGE, SEED, checkStatusText, sumOf } from '../steps/words.js'
import { quizQuestions, stepKey, type Question } from '../modes/quiz.js'
import { DEFAULT_TOLERANCE } from '../modes/claims.js'
import { nodeValues } from '../modes/refer.js'
import type { RenderOptions } from './index.js'
import { renderDot } from './dot.js'
import { graphviz } from './svg.js'
import { notation } from './text.js'
import { nodeLimit, refuseLarger } from './shared.js'
import { InputError } from '../errors.js'
import { PAGE_SCRIPT, PAGE_STYLE } from './page.js'

type Phase = 'forward' | 'local' | 'backward' | 'gradient'

/** One step of the page: what it says, what it highlights, what it makes visible on the graph. */
interface PageStep {
  phase: Phase
  text: string
  nodes: number[]
  edges: number[]
  reveal: { values?: number[]; grads?: number[]; labels?: number[]; flows?: number[] }
  /** The step it is (stepKey), for the quiz's question about it; gradients have none. */
  key?: string
  question?: Pick<Question, 'ask' | 'answer' | 'hints' | 'reveal'>
}

export const htmlTooLarge = nodeLimit(LIMITS.maxDrawnNodes, 'a page with --format html', '--format json or the tables write a program of any size')

export async function renderHtml(trace: Trace, options: RenderOptions): Promise<string> {
  refuseLarger(htmlTooLarge(trace.nodes))
  const svg = (await graphviz()).renderString(renderDot(trace, { ...options, rankdir: options.rankdir ?? 'LR' }, { ids: true }), {
    format: 'svg',
    engine: 'dot',
  })
  const steps = pageSteps(trace, options)
  if (options.quiz) attachQuestions(trace, steps, options)
  const flows: Record<number, number> = {}
  steps.forEach((step, k) => (step.reveal.flows ?? []).forEach((e) => (flows[e] = k)))
  const data = {
    steps,
    quiz: Boolean(options.quiz),
    tolerance: DEFAULT_TOLERANCE,
    names: options.quiz ? nodeValues(trace) : {},
    words: { value: GRAPH.value, grad: GRAPH.grad },
    phases: PAGE.phases,
    constants: Object.fromEntries(trace.nodes.flatMap((node, i) => (node.kind === 'constant' ? [[i, true]] : []))),
    flows,
  }
  const n = notation(options)
  const bindings = Object.entries(trace.bindings).map(([k, v]) => `${k} = ${n.print({ kind: 'value', value: v })}`)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(PAGE.title(firstLine(trace.source)))}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>${escape(PAGE.heading)}</h1>
<p>${escape(PAGE.program)} <code>${escape(headerSource(trace.source))}</code></p>
<p>${escape(PAGE.values)} ${escape(bindings.join(', ') || PAGE.none)}${trace.unbound.length ? ` · ${escape(PAGE.symbolic)} ${escape(trace.unbound.join(', '))}` : ''}</p>
</header>
<main>
<section class="graph" aria-label="${escape(PAGE.graphLabel)}">
${svg.replace(/^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?/, '')}
</section>
<section class="steps" aria-label="${escape(PAGE.stepsLabel)}">
<div class="controls" role="group" aria-label="${escape(PAGE.controlsLabel)}">
<button type="button" id="first">${escape(PAGE.first)}</button>
<button type="button" id="back">${escape(PAGE.back)}</button>
<button type="button" id="next">${escape(PAGE.next)}</button>
<button type="button" id="last">${escape(PAGE.last)}</button>
<input type="range" id="slider" min="1" max="${steps.length}" value="1" aria-label="${escape(PAGE.sliderLabel)}">
<span id="counter" aria-live="polite"></span>
</div>
<p id="phase"></p>
<p id="current" class="math" aria-live="polite"></p>
<form id="quiz" hidden>
<label for="answer">${escape(PAGE.answerLabel)}</label>
<input id="answer" autocomplete="off" spellcheck="false">
<button type="submit">${escape(PAGE.check)}</button>
<p id="feedback" aria-live="polite"></p>
</form>
<ol id="list" class="math" aria-label="${escape(PAGE.listLabel)}"></ol>
</section>
</main>
<script type="application/json" id="page-data">${scriptJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`
}

/** The lesson's rows as page steps: forward values, local derivatives, the backward pass, the gradients. */
function pageSteps(trace: Trace, options: RenderOptions): PageStep[] {
  const n = notation(options)
  const sym = (s: Sym) => n.print({ kind: 'value', value: s })
  const steps = lesson(trace, { wrt: options.wrt, explain: false })
  const label = (i: number) => trace.nodes[i]!.label
  const out: PageStep[] = []
  for (const row of steps.forward()) {
    const node = trace.nodes[row.node]!
    const text = node.kind === 'variable' ? `${label(row.node)} = ${sym(row.value)}` : `${label(row.node)} = ${sym(row.expression!)} = ${sym(row.value)}`
    out.push({ phase: 'forward', key: stepKey('value', row.node), text, nodes: [row.node], edges: [], reveal: { values: [row.node] } })
  }
  for (const row of steps.locals()) {
    const edge = trace.edges[row.edge]!
    const formula = sym(row.symbolic)
    const value = sym(row.value)
    out.push({
      phase: 'local',
      key: stepKey('local', row.edge),
      text: `${n.print(row.local)} = ${formula}${formula === value ? '' : ` = ${value}`}`,
      nodes: [edge.from, edge.to],
      edges: [row.edge],
      reveal: { labels: [row.edge] },
    })
  }
  for (const step of steps.backward()) {
    const gradient = n.print(step.gradient)
    if (step.kind === 'seed') {
      out.push({
        phase: 'backward',
        key: stepKey('seed', 0),
        text: `${gradient} = 1 (${SEED})`,
        nodes: [trace.output],
        edges: [],
        reveal: { grads: [trace.output] },
      })
    } else if (step.kind === 'contribution') {
      const edge = trace.edges[step.edge]!
      const which = step.total > 1 ? ` ${contributionOf(step.k, step.total)}` : ''
      const text = `${gradient}${which} = ${n.print([step.upstream, ` ${n.times} `, step.local])} = ${n.print(step.values)} = ${sym(step.contribution)}`
      out.push({
        phase: 'backward',
        key: stepKey('contribution', step.edge),
        text,
        nodes: [edge.from, edge.to],
        edges: [step.edge],
        reveal: { flows: [step.edge], ...(step.total === 1 ? { grads: [edge.from] } : {}) },
      })
    } else {
      const text = `${gradient} = ${sumOf(step.total)} = ${n.print({ kind: 'sum', terms: step.terms })} = ${sym(step.grad)}`
      const edges = [...trace.nodes[step.node]!.contributions]
      out.push({ phase: 'backward', key: stepKey('sum', step.node), text, nodes: [step.node], edges, reveal: { grads: [step.node] } })
    }
  }
  for (const row of steps.gradients) {
    const check = row.check
    const estimate = check?.estimate !== undefined && isNumber(check.estimate) ? `, finite difference ${sym(check.estimate)}` : ''
    const node = trace.gradients.find((g) => g.name === row.variable)!.node
    out.push({
      phase: 'gradient',
      text: `${n.print({ kind: 'grad', of: steps.out, wrt: row.variable })} = ${sym(row.grad)} (${checkStatusText(check?.status, check?.reason)}${estimate})`,
      nodes: [node],
      edges: [],
      reveal: { grads: [node] },
    })
  }
  return out
}

/** --quiz: each step the terminal quiz asks is asked here first, with its hints and worked answer. */
function attachQuestions(trace: Trace, steps: PageStep[], options: RenderOptions): void {
  if (trace.unbound.length > 0) {
    throw new InputError(`--quiz needs a value for every variable: bind ${trace.unbound.map((v) => `--${v} VALUE`).join(' ')}`)
  }
  const questions = quizQuestions(trace, { precision: options.precision, ascii: options.ascii })
  const byKey = new Map(steps.flatMap((step) => (step.key ? [[step.key, step] as const] : [])))
  for (const q of questions) {
    const step = byKey.get(q.about)
    if (step) step.question = { ask: q.ask, answer: q.answer, hints: q.hints, reveal: q.reveal }
  }
}

/** The program as written, its first lines only when it is long (the steps hold the rest). */
const headerSource = (source: string) => {
  const lines = source.trim().split('\n')
  return lines.length > LIMITS.headerStatements
    ? `${lines.slice(0, LIMITS.headerStatements).join('\n')}\n… (${lines.length - LIMITS.headerStatements} more lines)`
    : lines.join('\n')
}

const firstLine = (source: string) => {
  const line = source.trim().split('\n')[0]!
  return line.length > 60 ? `${line.slice(0, 57)}…` : line
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** JSON inside <script>: no "</script>" or "<!--" can end it early, whatever the program's text. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
