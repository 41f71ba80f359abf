// --format html: one self-contained page that steps through the lesson beside the graph. The
// graph is drawn by the same Graphviz (WebAssembly) as --format svg, at render time; the steps are
// the lesson's rows in the terminal's notation; style, script and data are inlined, so the page
// opens from file:// with no network. --quiz asks each step before it is shown.
import type { Trace } from '../trace.js'
import { LIMITS } from '../limits.js'
import { isNumber, type Sym } from '../sym.js'
import { lesson, wrtNode } from '../steps/lesson.js'
import { contributionOf, GRAPH, PAGE, SEED, checkStatusText, sumOf } from '../steps/words.js'
import { stepKey, type Question } from '../modes/quiz.js'
import { DEFAULT_TOLERANCE } from '../modes/claims.js'
import { nodeValues } from '../modes/refer.js'
import type { RenderOptions } from './index.js'
import { renderDot } from './dot.js'
import { graphviz } from './graphviz.js'
import { notation } from '../steps/text.js'
import { nodeLimit, refuseLarger } from './shared.js'
import { PAGE_SCRIPT, PAGE_STYLE } from './page.js'
import type { TensorEdge, TensorTrace } from '../tensor/trace.js'
import type { TensorQuestion } from '../tensor/quiz.js'
import { formatNumber } from '../format.js'
import { shapeCell, valueText } from '../steps/values.js'
import type { TensorRenderOptions } from './index.js'
import {
  TENSOR_PAGE as TP,
  TENSOR_WORDS as W,
  checkCell,
  contributionsByInput,
  entryLines,
  plainFormula,
  tensorFlagText,
  upstreamTimesRule,
  stepText,
  statementsOf,
  unrolledNote,
} from '../steps/tensor-words.js'

export type Phase = 'forward' | 'local' | 'backward' | 'gradient'

/** One step of the page: what it says, what it highlights, what it makes visible on the graph. */
export interface PageStep {
  phase: Phase
  text: string
  nodes: number[]
  edges: number[]
  reveal: { values?: number[]; grads?: number[]; labels?: number[]; flows?: number[] }
  /** The step it is (stepKey), for the quiz's question about it; gradients have none. */
  key?: string
  question?: PageQuestion
  /** At a matrix product or a convolution, the gradient's entries a reader can open, each with its scalar chain (the --entry view); `of` names the gradient. */
  entries?: { of: string; shape: readonly number[]; cells: string[]; chains: string[] }
}

/** A question the page asks before a step: a number (scalars), a shape, or one rule of several (tensors). */
type PageQuestion = Pick<Question, 'ask' | 'hints' | 'reveal'> & { answer: number; shape?: readonly number[]; choices?: string[] }

export const htmlTooLarge = nodeLimit(LIMITS.maxDrawnNodes, 'a page with --format html', '--format json or the tables write a program of any size')

export async function renderHtml(trace: Trace, options: RenderOptions): Promise<string> {
  refuseLarger(htmlTooLarge(trace.nodes))
  const steps = pageSteps(trace, options)
  if (options.questions) attachQuestions(steps, options.questions)
  const n = notation(options)
  const bindings = Object.entries(trace.bindings).map(([k, v]) => `${k} = ${n.print({ kind: 'value', value: v })}`)
  return pageShell({
    source: trace.source,
    values: `${bindings.join(', ') || PAGE.none}${trace.unbound.length ? ` · ${PAGE.symbolic} ${trace.unbound.join(', ')}` : ''}`,
    dot: renderDot(trace, { ...options, rankdir: options.rankdir ?? 'LR' }, { ids: true }),
    steps,
    data: {
      quiz: Boolean(options.questions),
      tolerance: DEFAULT_TOLERANCE,
      names: options.questions ? nodeValues(trace) : {},
      words: { value: GRAPH.value, grad: GRAPH.grad, answer: PAGE.answerLabel, fit: PAGE.fit },
      phases: PAGE.phases,
      constants: Object.fromEntries(trace.nodes.flatMap((node, i) => (node.kind === 'constant' ? [[i, true]] : []))),
    },
  })
}

/** What a page's script reads besides its steps: the quiz's settings, the graph's words, the phases' titles. */
export interface PageData {
  quiz: boolean
  tolerance: number
  names: Record<string, number>
  words: { value: string; grad: string; answer: string; fit: string; shape?: string; choose?: string; entries?: string }
  phases: Record<Phase, string>
  constants: Record<number, boolean>
}

/** The page around its steps: the graph laid out by Graphviz, the controls, the step list, style, script and data inlined. */
export async function pageShell(page: {
  source: string
  unrolled?: { title: string; lines: string[] }
  values: string
  dot: string
  steps: PageStep[]
  data: PageData
}): Promise<string> {
  const { steps } = page
  const svg = (await graphviz()).renderString(page.dot, { format: 'svg', engine: 'dot' })
  const flows: Record<number, number> = {}
  steps.forEach((step, k) => (step.reveal.flows ?? []).forEach((e) => (flows[e] = k)))
  const data = { steps, ...page.data, flows }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(PAGE.title(firstLine(page.source)))}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>${escape(PAGE.heading)}</h1>
<p>${escape(PAGE.program)} <code>${escape(headerSource(page.source))}</code></p>
${page.unrolled ? `<p>${escape(page.unrolled.title)} <code>${escape(headerSource(page.unrolled.lines.join('\n')))}</code></p>\n` : ''}<p>${escape(PAGE.values)} ${escape(page.values)}</p>
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
    // A variable's row, or a named node's with --wrt (yhat, t1).
    const node = trace.gradients.find((g) => g.name === row.variable)?.node ?? wrtNode(trace, row.variable)!
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
function attachQuestions(steps: PageStep[], questions: Question[]): void {
  const byKey = new Map(steps.flatMap((step) => (step.key ? [[step.key, step] as const] : [])))
  for (const q of questions) {
    const step = byKey.get(q.about)
    if (step) step.question = { ask: q.ask, answer: q.answer, hints: q.hints, reveal: q.reveal }
  }
}

/**
 * The page of a tensor program: the same steps as the tables (each node's value with its shape,
 * each edge's rule, the backward pass, the gradients), on the graph with each node's shape. `dot`
 * is the tensor graph with ids (render/tensor-formats.ts draws it).
 */
export async function renderTensorHtml(trace: TensorTrace, options: TensorRenderOptions, dot: string): Promise<string> {
  refuseLarger(htmlTooLarge(trace.nodes))
  const steps = tensorPageSteps(trace, options)
  if (options.questions) attachTensorQuestions(trace, steps, options.questions, options)
  const { nodes } = trace
  const text = (s: string) => (options.ascii ? W.ascii(s) : s)
  // A loop's steps are named h#1, h#2, … on the graph and in the steps: the unrolled program defines them.
  const note = unrolledNote(trace)
  const unrolled = note ? { title: text(`${note[0]!.toUpperCase()}${note.slice(1)}`), lines: statementsOf(trace).map(text) } : undefined
  return pageShell({
    source: trace.source,
    ...(unrolled ? { unrolled } : {}),
    values: text(
      trace.variables.map((v) => `${nodes[v]!.label}: ${shapeCell(nodes[v]!.value!.shape)} (${trace.bindings.get(nodes[v]!.label) ?? ''})`).join(', '),
    ),
    dot,
    steps,
    data: {
      quiz: Boolean(options.questions),
      tolerance: DEFAULT_TOLERANCE,
      names: {},
      words: {
        value: GRAPH.value,
        grad: GRAPH.grad,
        answer: PAGE.answerLabel,
        fit: PAGE.fit,
        shape: TP.shapeLabel,
        choose: TP.chooseLabel,
        entries: TP.entriesLabel,
      },
      phases: Object.fromEntries(Object.entries(TP.phases(trace)).map(([phase, title]) => [phase, text(title)])) as Record<Phase, string>,
      constants: Object.fromEntries(nodes.flatMap((node, i) => (node.kind === 'constant' ? [[i, true]] : []))),
    },
  })
}

/** The tensor lesson's rows as page steps, in the order of the tables. */
function tensorPageSteps(trace: TensorTrace, options: TensorRenderOptions): PageStep[] {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  const text = (s: string) => (options.ascii ? W.ascii(s) : s)
  const style = { precision: options.precision, ascii: Boolean(options.ascii) }
  const shown = (head: string, t: { shape: readonly number[]; data: Float64Array }) => text(TP.value(head, shapeCell(t.shape), valueText(t as never, style)))
  const steps: PageStep[] = []
  nodes.forEach((node, i) => {
    if (node.kind === 'constant') return
    const head = node.kind === 'op' ? `${node.label} = ${node.expression}` : node.label
    steps.push({ phase: 'forward', key: stepKey('value', i), text: shown(head, node.value!), nodes: [i], edges: [], reveal: { values: [i] } })
  })
  trace.edges.forEach((edge, k) => {
    const consumer = nodes[edge.consumer]!
    const input = nodes[edge.input]!
    const formula = `${plainFormula(edge.formula)}${edge.shapes ? `  (${edge.shapes})` : ''}`
    steps.push({
      phase: 'local',
      key: stepKey('local', k),
      text: text(TP.rule(`${consumer.label} = ${consumer.expression}`, `${input.label} (${shapeCell(input.value!.shape)})`, edge.rule.name, formula)),
      nodes: [edge.consumer, edge.input],
      edges: [k],
      reveal: { labels: [k] },
    })
  })
  steps.push({ phase: 'backward', key: stepKey('seed', 0), text: text(TP.seed(out)), nodes: [trace.output], edges: [], reveal: { grads: [trace.output] } })
  const totals = contributionsByInput(trace)
  const done = new Map<number, number>()
  trace.edges.forEach((edge, k) => {
    const input = nodes[edge.input]!
    const count = totals.get(edge.input)!.length
    const at = (done.get(edge.input) ?? 0) + 1
    done.set(edge.input, at)
    const gradient = count > 1 ? W.contribution(out, input.label, at, count, stepText(trace, edge.consumer)) : W.grad(out, input.label)
    steps.push({
      phase: 'backward',
      key: stepKey('contribution', k),
      text: shown(`${gradient} = ${plainFormula(upstreamTimesRule(trace, edge))}`, edge.contribution),
      nodes: [edge.input, edge.consumer],
      edges: [k],
      reveal: { flows: [k], ...(count === 1 ? { grads: [edge.input] } : {}) },
      ...openedEntries(trace, edge, options),
    })
    if (count > 1 && at === count) {
      steps.push({
        phase: 'backward',
        key: stepKey('sum', edge.input),
        text: shown(`${W.grad(out, input.label)} = ${W.sumOf(count)}`, trace.grads[edge.input]!),
        nodes: [edge.input],
        edges: totals.get(edge.input)!.map((e) => trace.edges.indexOf(e)),
        reveal: { grads: [edge.input] },
      })
    }
  })
  trace.gradients.forEach((g, k) => {
    const node = nodes.findIndex((n) => n.label === g.name && n.kind !== 'constant')
    steps.push({
      phase: 'gradient',
      text: `${shown(W.grad(out, g.name), g.grad)}\n${text(TP.check(checkCell(trace.checks[k]!)))}`,
      nodes: [node],
      edges: [],
      reveal: { grads: [node] },
    })
  })
  // The flags and notes close the page as they close the gradients section, each outlining its node.
  trace.flags.forEach((flag) =>
    steps.push({ phase: 'gradient', text: text(`${W.noteMark} ${tensorFlagText(trace, flag)}`), nodes: [flag.node], edges: [], reveal: {} }),
  )
  for (const note of trace.notes) steps.push({ phase: 'gradient', text: text(`${W.noteMark} ${note}`), nodes: [], edges: [], reveal: {} })
  return steps
}

/** At a matrix product or a convolution, the entries of the gradient passed back (when it is small), each with its scalar chain. */
function openedEntries(trace: TensorTrace, edge: TensorEdge, options: TensorRenderOptions): Pick<PageStep, 'entries'> {
  const input = trace.nodes[edge.input]!
  const t = edge.contribution
  const opened = options.entries?.get(edge)
  if (!opened) return {}
  const text = (s: string) => (options.ascii ? W.ascii(s) : s)
  const cells = [...t.data].map((x) => text(formatNumber(x, options.precision)))
  const chains = opened.map((chain) => {
    const [title, ...lines] = entryLines(trace, chain, options.precision, 5)
    return text([title!.replace(/^\d+\. /, ''), ...lines].join('\n'))
  })
  return { entries: { of: text(W.grad(trace.nodes[trace.output]!.label, input.label)), shape: t.shape, cells, chains } }
}

/** --quiz on a tensor program: each operation's shape, each rule (one of several), each gradient's shape, as the terminal quiz asks them. */
function attachTensorQuestions(trace: TensorTrace, steps: PageStep[], questions: TensorQuestion[], options: TensorRenderOptions): void {
  const text = (s: string) => (options.ascii ? W.ascii(s) : s)
  const byKey = new Map(steps.flatMap((step) => (step.key ? [[step.key, step] as const] : [])))
  const formulas = trace.edges.map((edge) => plainFormula(edge.formula))
  for (const q of questions) {
    const common = { hints: q.hints.map(text) as [string, string], reveal: text(q.reveal) }
    if (q.kind === 'entry') {
      // One entry of the gradient, as a number, before the gradient is shown.
      const step = steps.find((st) => st.phase === 'gradient' && st.nodes[0] === q.node)
      if (step) step.question = { ask: text(q.ask), answer: q.answer, ...common }
      continue
    }
    if (q.section === 'forward') {
      const step = byKey.get(stepKey('value', q.node))
      if (step) step.question = { ask: text(q.ask), answer: 0, shape: q.shape, ...common }
      continue
    }
    const edge = trace.edges.indexOf(q.edge)
    if (q.kind === 'shape') {
      const step = byKey.get(stepKey('contribution', edge))
      if (step) step.question = { ask: text(q.ask), answer: 0, shape: q.shape, ...common }
      continue
    }
    const step = byKey.get(stepKey('local', edge))
    const consumer = trace.nodes[q.edge.consumer]!
    const choices = ruleChoices(trace, formulas, edge)
    if (step)
      step.question = {
        ask: text(TP.ruleAsk(q.ask, `${consumer.label} = ${consumer.expression}`)),
        answer: choices.indexOf(formulas[edge]!),
        choices: choices.map(text),
        ...common,
      }
  }
}

/** The right rule among up to three others of the same program, the nearest edges' first (a sibling input's rule is the likeliest slip). */
function ruleChoices(trace: TensorTrace, formulas: string[], edge: number): string[] {
  const right = formulas[edge]!
  const consumer = trace.edges[edge]!.consumer
  const distance = (k: number) => (trace.edges[k]!.consumer === consumer ? 0 : 1 + Math.abs(k - edge))
  const nearest = formulas.map((_, k) => k).sort((a, b) => distance(a) - distance(b) || a - b)
  const others = [...new Set(nearest.map((k) => formulas[k]!).filter((f) => f !== right))].slice(0, 3)
  const choices = [right, ...others]
  // A fixed rotation, so the right one is not always first and the page stays deterministic.
  const turn = edge % choices.length
  return [...choices.slice(turn), ...choices.slice(0, turn)]
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

/** Text as HTML: every character that could open markup or end an attribute written as a reference. */
export const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** JSON inside <script>: no "</script>" or "<!--" can end it early, whatever the program's text. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
