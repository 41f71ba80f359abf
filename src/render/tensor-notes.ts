// Notes of a tensor trace: Markdown (GFM tables, values and rules in code spans, gradients in
// ```math blocks, which GitHub and KaTeX read without Markdown touching their backslashes) and
// LaTeX (align* blocks, values as bmatrix, rules in maths with their words in \text).
import type { RenderOptions } from './index.js'
import type { TensorTrace } from '../tensor/trace.js'
import { tensorChains } from '../tensor/chains.js'
import type { Tensor } from '../tensor/tensor.js'
import { formatNumber } from '../format.js'
import { SHOWN, shapeCell, shownIndexes } from '../steps/values.js'
import type { TensorRenderOptions } from './index.js'
import { latexName, latexNumber } from './tex.js'
import {
  TANGENT_WORDS,
  TENSOR_WORDS as W,
  checkCell,
  contributionsByInput,
  entryLines,
  tensorChainLines,
  roundOffNote,
  tensorChainsText,
  tensorSections,
  plainFormula,
  remarks,
  statementsOf,
  tangentSections,
  upstreamTimesRule,
  stepText,
} from '../steps/tensor-words.js'

/** A value on one line: 2, [1, 2, 3], [[1, 2], [3, 4]], summarized with … past the terminal's sizes. */
export function valueInline(t: Tensor, precision: number): string {
  const f = (x: number) => formatNumber(x, precision)
  if (t.shape.length === 0) return f(t.data[0]!)
  if (t.shape.length === 1)
    return `[${shownIndexes(t.shape[0]!, SHOWN.entries, SHOWN.edgeEntries)
      .map((i) => (i < 0 ? '…' : f(t.data[i]!)))
      .join(', ')}]`
  const [rows, cols] = t.shape as [number, number]
  const row = (i: number) =>
    `[${shownIndexes(cols, SHOWN.cols, SHOWN.edgeCols)
      .map((j) => (j < 0 ? '…' : f(t.data[i * cols + j]!)))
      .join(', ')}]`
  return `[${shownIndexes(rows, SHOWN.rows, SHOWN.edgeRows)
    .map((i) => (i < 0 ? '…' : row(i)))
    .join(', ')}]`
}

/**
 * A value in LaTeX: a number, or a bracketed matrix (a vector as a column), summarized with dots;
 * `small` (the LaTeX notes) sets it as a smallmatrix with its shape below the bracket, to fit a page.
 */
export function valueLatex(t: Tensor, precision: number, small = false): string {
  const f = (x: number) => latexNumber(x, precision)
  if (t.shape.length === 0) return f(t.data[0]!)
  const [rows, cols] = t.shape.length === 1 ? [t.shape[0]!, 1] : (t.shape as [number, number])
  const rowIndexes = shownIndexes(rows, t.shape.length === 1 ? SHOWN.entries : SHOWN.rows, t.shape.length === 1 ? SHOWN.edgeEntries : SHOWN.edgeRows)
  const colIndexes = shownIndexes(cols, SHOWN.cols, SHOWN.edgeCols)
  const body = rowIndexes
    .map((i) => colIndexes.map((j) => (i < 0 ? (j < 0 ? '\\ddots' : '\\vdots') : j < 0 ? '\\cdots' : f(t.data[i * cols + j]!))).join(' & '))
    .join(' \\\\ ')
  if (!small) return `\\begin{bmatrix} ${body} \\end{bmatrix}`
  return `\\left[\\begin{smallmatrix} ${body} \\end{smallmatrix}\\right]_{${t.shape.join('\\times ')}}`
}

const LATEX_FUNCTIONS = new Set(['exp', 'log', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'max', 'min'])
const textEscape = (s: string) => s.replace(/[\\{}$&#^_%~]/g, (c) => (c === '\\' ? '\\textbackslash{}' : c === '^' ? '\\^{}' : c === '~' ? '\\~{}' : `\\${c}`))

/**
 * A formula or expression of the tensor trace in LaTeX: names as the scalar notes write them,
 * ḡ as \bar{g}, ᵀ and ' as \top, ⊙ as \odot, ∂L/∂z as a fraction, words (‹…›) as \text.
 */
export function latexFormula(text: string): string {
  // A power's exponent as a group (t1^(2 - 1), x .^ 2): ^ alone in text would be an accent to LaTeX.
  // An element-wise power .^ is the Hadamard power, Z^{∘2}: Z^{2} would read as the matrix Z·Z.
  const powered = text.replace(
    /\s*(\.?)\^\s*(\([^()]*\)|[\p{L}\p{N}_.#]+)/gu,
    (_, dot: string, exponent: string) => `⁽${dot ? '∘' : ''}${exponent.replace(/^\((.*)\)$/, '$1')}⁾`,
  )
  if (powered !== text)
    return powered
      .split(/⁽([^⁾]*)⁾/)
      .map((part, k) => (k % 2 ? (part.startsWith('∘') ? `^{\\circ ${latexFormula(part.slice(1))}}` : `^{${latexFormula(part)}}`) : latexFormula(part)))
      .join('')
  const token =
    /‹([^›]*)›|∂([^\s/·()‹›]+)\/∂([^\s·()⊙,ᵀ‹›]+)|(ḡ)|((?![ᵀΣ])[\p{L}_$](?:(?![ᵀΣ²³])[\p{L}\p{N}_$#])*)(\s*\()?|(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|(\.\*|\.\/|\.\^|[ᵀ'·⊙⋆Σ×→²³…])|(\s+)|⟪([^⟫]*)⟫|(.)/gu
  let out = ''
  for (const m of text.matchAll(token)) {
    const [, words, of, wrt, bar, name, call, number, symbol, space, dotted, other] = m
    // Spaces around the words are kept inside \text: maths mode would drop them.
    // Words may name ḡ or a gradient (∂L/∂y's entries): their signs go back into math inside the text.
    if (words !== undefined) out += `\\text{${words.startsWith(',') ? '' : ' '}${latexText(words)} }`
    else if (of !== undefined) out += `\\frac{\\partial ${latexName(of)}}{\\partial ${latexName(wrt!)}}`
    else if (bar !== undefined) out += '\\bar{g}'
    // A loop step's name (h#2, h^{(2)}) is braced whole, so a transpose after it is no double superscript.
    else if (name !== undefined)
      out += call
        ? `${LATEX_FUNCTIONS.has(name) ? `\\${name}` : `\\operatorname{${textEscape(name)}}`}(`
        : name.includes('#')
          ? `{${latexName(name)}}`
          : latexName(name)
    else if (number !== undefined) out += number.includes('e') ? latexNumber(Number(number)) : number
    else if (symbol !== undefined)
      out += (
        {
          '.*': '\\odot ',
          './': '\\oslash ',
          '.^': '\\hat{} ',
          ᵀ: '^{\\top}',
          "'": '^{\\top}',
          '·': '\\cdot ',
          '⊙': '\\odot ',
          '⋆': '\\star ',
          Σ: '\\textstyle\\sum ',
          '×': '\\times ',
          '→': '\\to ',
          '²': '^{2}',
          '³': '^{3}',
          '…': '\\dots ',
        } as Record<string, string>
      )[symbol]!
    else if (space !== undefined) out += ' '
    else if (dotted !== undefined) out += `\\dot{${latexName(dotted)}}`
    else out += /[#$%&_{}~^\\]/.test(other!) ? `\\${other}` : other
  }
  return out
}

const PROSE_MATH: Record<string, string> = {
  '±': '$\\pm$',
  '∂': '$\\partial$',
  ḡ: '$\\bar{g}$',
  '⊙': '$\\odot$',
  '⋆': '$\\star$',
  '·': '$\\cdot$',
  '×': '$\\times$',
  '→': '$\\to$',
  ᵀ: '$^{\\top}$',
  Σ: '$\\Sigma$',
  '²': '$^{2}$',
  '…': '\\dots{}',
  '①': '',
  '②': '',
  '⚠': '!',
}

/** A sentence of the trace for LaTeX's text mode: special characters escaped, its few maths signs in $…$. */
export function latexText(text: string): string {
  return textEscape(text)
    .replace(/⟪([^⟫]*)⟫/g, (_, label: string) => `$\\dot{${latexName(label)}}$`)
    .replace(/[‹›]/g, '')
    .replace(/[∂ḡ⊙⋆·×→ᵀΣ²…①②⚠±]/g, (c) => PROSE_MATH[c]!)
    .replace(/ {2,}/g, ' ')
}

export function renderTensorNotes(trace: TensorTrace, options: TensorRenderOptions, medium: 'markdown' | 'latex'): string {
  return medium === 'markdown' ? markdown(trace, options) : latex(trace, options)
}

const code = (s: string) => `\`${s}\``
const mdRow = (cells: string[]) => `| ${cells.join(' | ')} |`
const mdTable = (head: string[], rows: string[][]) => [mdRow(head), mdRow(head.map(() => '---')), ...rows.map(mdRow)].join('\n')

function markdown(trace: TensorTrace, options: TensorRenderOptions): string {
  const p = options.precision
  const lines = [...markdownProgram(trace), ...markdownForwardPass(trace, p)]
  if (options.mode === 'forward') return `${[...lines, ...forwardMarkdown(trace, options)].join('\n').trimEnd()}\n`
  const sections = tensorSections(options)
  lines.push(...markdownRules(trace), ...markdownBackward(trace, p))
  if (sections.chains !== undefined) {
    lines.push(`### ${W.chainsTitle(trace, sections.chains)}`, '', W.chainsLegend.trim(), '', '```text')
    lines.push(...tensorChainsText(trace, { ...options, ascii: false }).map((l) => l.replace(/^ {2}/, '')), '```', '')
  }
  lines.push(...markdownGradients(trace, p, sections.gradients))
  if (options.entry) {
    const [title, ...rest] = entryLines(trace, options.entry, p, sections.entry)
    lines.push('', `### ${title}`, '', '```text', ...rest.map((l) => l.replace(/^ {2}/, '')), '```')
  }
  if (options.forward) lines.push('', ...forwardMarkdown(trace, options))
  return `${lines.join('\n')}\n`
}

/** The program and its values. */
function markdownProgram(trace: TensorTrace): string[] {
  const { nodes } = trace
  const values = trace.variables.map(
    (v) => `${code(nodes[v]!.label)} ${shapeCell(nodes[v]!.value!.shape)} (${code(trace.bindings.get(nodes[v]!.label) ?? '')})`,
  )
  return [`## ${W.programTitle(trace)}`, '', '```text', ...statementsOf(trace), '```', '', `${W.valuesTitle}: ${values.join(', ')}`, '']
}

/** Section 1: every node's value and shape. */
function markdownForwardPass(trace: TensorTrace, p: number): string[] {
  const rows = trace.nodes
    .filter(W.shownInForward)
    .map((node) => [
      code(node.label),
      node.kind === 'op' ? W.opName(node) : node.kind,
      node.expression ? code(node.expression) : '',
      shapeCell(node.value!.shape),
      code(valueInline(node.value!, p)),
    ])
  return [`### ${W.forwardTitle}`, '', mdTable(W.forwardColumns, rows), '']
}

/** Section 2: each operation's rule for each input. */
function markdownRules(trace: TensorTrace): string[] {
  const rows = trace.edges.map((edge) => {
    const consumer = trace.nodes[edge.consumer]!
    const input = trace.nodes[edge.input]!
    return [
      code(`${consumer.label} = ${consumer.expression}`),
      `${code(input.label)} (${shapeCell(input.value!.shape)})`,
      edge.rule.name,
      code(plainFormula(edge.formula)),
      edge.shapes ?? '',
    ]
  })
  return [`### ${W.rulesTitle}`, '', W.rulesLegend.map((l) => l.trim()).join(' '), '', mdTable(W.rulesNoteColumns, rows), '']
}

/** Section 3: the seed, each contribution (numbered where an input has several) and each sum. */
function markdownBackward(trace: TensorTrace, p: number): string[] {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  const totals = contributionsByInput(trace)
  const done = new Map<number, number>()
  const rows: string[][] = [[code(W.grad(out, out)), W.seed, 'scalar', code('1')]]
  for (const edge of trace.edges) {
    const input = nodes[edge.input]!
    const count = totals.get(edge.input)!.length
    const k = (done.get(edge.input) ?? 0) + 1
    done.set(edge.input, k)
    rows.push([
      code(count > 1 ? W.contribution(out, input.label, k, count, stepText(trace, edge.consumer)) : W.grad(out, input.label)),
      code(plainFormula(upstreamTimesRule(trace, edge))),
      shapeCell(edge.contribution.shape),
      code(valueInline(edge.contribution, p)),
    ])
    if (count > 1 && k === count)
      rows.push([code(W.grad(out, input.label)), W.sumOf(count), shapeCell(input.value!.shape), code(valueInline(trace.grads[edge.input]!, p))])
  }
  const lines = [`### ${W.backwardTitle(out)}`, '', W.backwardLegend.trim(), '', mdTable(W.backwardColumns, rows), '']
  for (const shortcut of trace.shortcuts) lines.push(`${shortcut}.`, '')
  return lines
}

/** Each gradient as one equation, the checks, and the notes. */
function markdownGradients(trace: TensorTrace, p: number, n: number): string[] {
  const out = trace.nodes[trace.output]!.label
  const lines = [`### ${W.gradientsTitle(trace, n)}`, '']
  for (const g of trace.gradients)
    lines.push('```math', `\\frac{\\partial ${latexName(out)}}{\\partial ${latexName(g.name)}} = ${valueLatex(g.grad, p)}`, '```', '')
  const checks = trace.gradients.map((g, k) => [code(g.name), shapeCell(g.grad.shape), checkCell(trace.checks[k]!)])
  lines.push(mdTable(['variable', 'shape', 'check'], checks), '')
  for (const line of W.checkLegend(trace)) lines.push(line.trim())
  for (const note of remarks(trace)) lines.push('', `> ${W.noteMark} ${note}`)
  return lines
}

/** Forward mode in Markdown: a GFM table per tangent pass, then the costs. */
function forwardMarkdown(trace: TensorTrace, options: TensorRenderOptions): string[] {
  const mode = options.forward
  if (!mode) return []
  const formula = (s: string) => code(plainFormula(s))
  const first = tensorSections(options).forward
  const sections = tangentSections(trace, mode, first, options.precision)
  const lines: string[] = []
  for (const [k, section] of sections.entries()) {
    lines.push(`### ${plainFormula(section.title)}`, '', ...(k === 0 ? [TANGENT_WORDS.legend.trim(), ''] : []))
    const rows = section.rows.map((r) => [
      formula(r.tangent),
      r.rule === W.seed ? r.rule : formula(r.rule),
      shapeCell(r.shape),
      formula(valueInline(r.value, options.precision)),
    ])
    lines.push(mdTable(TANGENT_WORDS.columns, rows))
    lines.push('', plainFormula(section.result).trim(), '')
  }
  lines.push(`### ${TANGENT_WORDS.compareTitle(first + sections.length)}`, '')
  for (const line of TANGENT_WORDS.costs(mode)) lines.push(`- ${line.trim()}`)
  return lines
}

/** Forward mode in LaTeX: an align* block per tangent pass, then the costs. */
function forwardLatex(trace: TensorTrace, options: TensorRenderOptions): string[] {
  const mode = options.forward
  if (!mode) return []
  const first = tensorSections(options).forward
  const sections = tangentSections(trace, mode, first, options.precision)
  const lines: string[] = []
  for (const [k, section] of sections.entries()) {
    lines.push(`\\paragraph{${latexText(section.title)}}`, ...(k === 0 ? [latexText(TANGENT_WORDS.legend.trim()), ''] : []), '\\begin{align*}')
    const rows = section.rows.map(
      (r) =>
        `${latexFormula(r.tangent)} &= ${r.rule === W.seed ? '' : `${latexFormula(r.rule)}${onItsLine(r.value)}`}${valueLatex(r.value, options.precision, true)}`,
    )
    lines.push(rows.join(' \\\\\n'), '\\end{align*}', '', latexText(section.result.trim()), '')
  }
  lines.push(`\\paragraph{${latexText(TANGENT_WORDS.compareTitle(first + sections.length))}}`)
  for (const line of TANGENT_WORDS.costs(mode)) lines.push(latexText(line.trim()), '')
  return lines
}

/** What goes between a formula and its value: a matrix or vector starts a line of its own (a page is narrow). */
const onItsLine = (t: Tensor) => (t.shape.length === 0 ? ' = ' : ' \\\\\n &= ')

const align = (rows: string[]) => ['\\begin{align*}', rows.join(' \\\\\n'), '\\end{align*}', '']
const latexShape = (t: Tensor) => `\\text{${shapeCell(t.shape).replace('×', '$\\times$')}}`
const latexGrad = (out: string, of: string) => `\\frac{\\partial ${latexName(out)}}{\\partial ${latexName(of)}}`

function latex(trace: TensorTrace, options: TensorRenderOptions): string {
  const p = options.precision
  const lines = [...latexProgram(trace), ...latexForwardPass(trace, p)]
  if (options.mode === 'forward') return latexDocument([...lines, ...forwardLatex(trace, options)], options)
  const sections = tensorSections(options)
  lines.push(...latexRules(trace), ...latexBackward(trace, p))
  if (sections.chains !== undefined) lines.push(...latexChains(trace, options, sections.chains))
  lines.push(...latexGradients(trace, p, sections.gradients))
  return latexDocument([...lines, ...forwardLatex(trace, options)], options)
}

/** The program as a comment and as aligned statements, and its values. */
function latexProgram(trace: TensorTrace): string[] {
  const { nodes } = trace
  const values = trace.variables.map(
    (v) => `$${latexName(nodes[v]!.label)}$ ${latexShape(nodes[v]!.value!)} (\\texttt{${textEscape(trace.bindings.get(nodes[v]!.label) ?? '')}})`,
  )
  return [
    '% backprop-tutor tensor trace of:',
    ...trace.source.split('\n').map((l) => `%   ${l}`),
    '',
    `\\paragraph{${latexText(W.programTitle(trace))}}`,
    ...align(statementsOf(trace).map((s) => latexFormula(s).replace(/ = /, ' &= '))),
    // Ragged right: file names and generators are words LaTeX cannot break, so a justified line would run past the margin.
    `{\\raggedright ${W.valuesTitle}: ${values.join(', ')}.\\par}`,
    '',
  ]
}

/** Section 1: every node's value. */
function latexForwardPass(trace: TensorTrace, p: number): string[] {
  const rows = trace.nodes.flatMap((node) =>
    node.kind === 'constant'
      ? []
      : [
          `${latexName(node.label)} &= ${node.expression ? `${latexFormula(node.expression)}${onItsLine(node.value!)}` : ''}${valueLatex(node.value!, p, true)}`,
        ],
  )
  return [`\\paragraph{${latexText(W.forwardTitle)}}`, ...align(rows)]
}

/** A rule's words (‹, with the padding … and ḡ's entries …›) as LaTeX, a line for each part joined by "and": a page is narrow. */
function latexWords(words: string): string {
  const inner = /^‹([^›]*)›$/.exec(words)?.[1]
  if (!inner || !inner.includes(' and ')) return latexFormula(words)
  return inner
    .split(' and ')
    .map((part, k) => latexFormula(`‹${k ? 'and ' : ''}${part}›`))
    .join(' \\\\\n &\\qquad ')
}

/** Section 2: each operation's rule for each input. */
function latexRules(trace: TensorTrace): string[] {
  const rows = trace.edges.map((edge) => {
    const input = trace.nodes[edge.input]!
    const consumer = trace.nodes[edge.consumer]!
    // The product's shapes go on a line of their own: three columns do not fit a page.
    // A long rule's words go on a line of their own too.
    // (A convolution's ", with the padding …" is where it breaks; else its first words.)
    const cut = edge.formula.includes('‹, with') ? edge.formula.indexOf('‹, with') : edge.formula.indexOf('‹')
    const split = cut > 0 && plainFormula(edge.formula).length > 40
    const formula = split ? `${latexFormula(edge.formula.slice(0, cut))} \\\\\n &\\qquad ${latexWords(edge.formula.slice(cut))}` : latexFormula(edge.formula)
    const rule = `\\text{${textEscape(edge.rule.name)}, ${'$'}${latexName(consumer.label)}${'$'} to ${'$'}${latexName(input.label)}${'$'}:} &\\quad ${formula}`
    // A convolution's shapes say their steps in words (spaced to, less the padding): those are text, not names.
    // Their steps (separated by ", " outside brackets) one to a line: the chain of a strided one is long.
    const steps = edge.shapes?.split(/, (?![^(]*\))/).map((step) => latexFormula(step.replace(/[a-z]{2,}(?: [a-z]{2,})*/g, '‹$&›')))
    return steps ? `${rule} \\\\\n &\\qquad ${steps.join(', \\\\\n &\\qquad ')}` : rule
  })
  return [`\\paragraph{${latexText(W.rulesTitle)}}`, latexText(W.rulesLegend.map((l) => l.trim()).join(' ')), '', ...align(rows)]
}

/** Section 3: each contribution (numbered ^{(k)} where an input has several) and each sum. */
function latexBackward(trace: TensorTrace, p: number): string[] {
  const out = trace.nodes[trace.output]!.label
  const totals = contributionsByInput(trace)
  const done = new Map<number, number>()
  const rows: string[] = []
  for (const edge of trace.edges) {
    const input = trace.nodes[edge.input]!
    const count = totals.get(edge.input)!.length
    const k = (done.get(edge.input) ?? 0) + 1
    done.set(edge.input, k)
    // As the scalar notes number contributions: "(1 of 3)", with the loop step where there is one
    // (a superscript (k) would read as the step names h^{(k)} of a loop).
    const step = stepText(trace, edge.consumer)
    const name = `${latexGrad(out, input.label)}${count > 1 ? `\\ \\text{(${k} of ${count}${step ? `, $${step}$` : ''})}` : ''}`
    // A convolution's ", with the padding …" words take a line of their own, as in the rules.
    const worked = upstreamTimesRule(trace, edge)
    const at = worked.indexOf('‹, with')
    const formula = at > 0 ? `${latexFormula(worked.slice(0, at))} \\\\\n &\\qquad ${latexWords(worked.slice(at))}` : latexFormula(worked)
    rows.push(`${name} &= ${formula}${onItsLine(edge.contribution)}${valueLatex(edge.contribution, p, true)}`)
    if (count > 1 && k === count) {
      const grad = trace.grads[edge.input]!
      rows.push(`${latexGrad(out, input.label)} &= \\text{${latexText(W.sumOf(count))}}${onItsLine(grad)}${valueLatex(grad, p, true)}`)
    }
  }
  return [`\\paragraph{${latexText(W.backwardTitle(out))}}`, ...align(rows)]
}

/** The chains: each path's nodes and rules in words, then what it carries; several paths' sum. */
function latexChains(trace: TensorTrace, options: TensorRenderOptions, n: number): string[] {
  const out = trace.nodes[trace.output]!.label
  const lines = [`\\paragraph{${latexText(W.chainsTitle(trace, n))}}`, latexText(W.chainsLegend.trim()), '']
  for (const chain of tensorChains(trace)) {
    const listed = tensorChainLines(trace, chain, options.chains === 'all' ? 'all' : 'short')
    const grad = latexGrad(out, trace.nodes[chain.node]!.label)
    if (listed.kind === 'summary') {
      lines.push(`$${grad}$ ${latexText(listed.text)}`, '')
      continue
    }
    const rows: string[] = []
    const noises: string[] = []
    for (const [k, path] of listed.paths.entries()) {
      // "path 2, t = 3" as the scalar notes number contributions: in words beside the gradient.
      const which = listed.paths.length > 1 ? `path ${k + 1}${path.step ? `, $${path.step}$` : ''}` : ''
      const names = path.names
        .map((n) => {
          const use = /^(.*) \(use (\d+)\)$/.exec(n)
          return use ? `${latexName(use[1]!)}\\text{ (use ${use[2]})}` : latexName(n)
        })
        .join(' \\leftarrow \\allowbreak ')
      // In running text a rule's words may break between them, as the rules between each other.
      const breakable = (tex: string) =>
        tex.replace(/\\text\{((?:[^{}]|\{[^{}]*\})*)\}/g, (_, words: string) => {
          const parts = words
            .trim()
            .split(/\s+/)
            .map((w) => `\\text{${w}}`)
          return `${/^\s/.test(words) ? '\\ ' : ''}${parts.join('\\ \\allowbreak ')}${/\s$/.test(words) ? '\\ ' : ''}`
        })
      const rules = path.formulas.map((f) => breakable(latexFormula(f))).join(';\\ \\allowbreak ')
      // Ragged right: a long path breaks at its arrows and semicolons, not by stretching the spaces past the margin.
      lines.push(`{\\raggedright ${which ? `${which[0]!.toUpperCase()}${which.slice(1)}: ` : ''}$${names}$; ${W.chainRules}: $${rules}$\\par}`, '')
      rows.push(`${grad}${which ? `\\ \\text{(${which})}` : ''} &= ${valueLatex(path.value, options.precision, true)}`)
      if (path.roundOff !== undefined) noises.push(`${listed.paths.length > 1 ? `Path ${k + 1}: ` : ''}${roundOffNote(path.roundOff)}`)
    }
    if (listed.sum) rows.push(`${grad} &= \\text{${W.sumOverPaths(listed.paths.length)}} = ${valueLatex(listed.sum, options.precision, true)}`)
    lines.push(...align(rows))
    for (const noise of noises) lines.push(latexText(noise), '')
  }
  return lines
}

/** Each gradient with its check, and the notes. */
function latexGradients(trace: TensorTrace, p: number, n: number): string[] {
  const out = trace.nodes[trace.output]!.label
  const rows = trace.gradients.map(
    (g, k) =>
      `${latexGrad(out, g.name)} &= ${valueLatex(g.grad, p, true)}${g.grad.shape.length === 0 ? ' &&' : ' \\\\\n &\\qquad'} \\text{${latexText(checkCell(trace.checks[k]!))}}`,
  )
  const lines = [`\\paragraph{${latexText(W.gradientsTitle(trace, n))}}`, ...align(rows)]
  for (const line of W.checkLegend(trace)) lines.push(latexText(line.trim()), '')
  for (const note of remarks(trace)) lines.push(`${latexText(`${W.noteMark} ${note}`)}`, '')
  return lines
}

/** The lines as a fragment, or a whole document with --standalone. */
function latexDocument(lines: string[], options: Pick<RenderOptions, 'standalone'>): string {
  const body = `${lines.join('\n').trimEnd()}\n`
  if (!options.standalone) return body
  return `\\documentclass{article}\n\\usepackage{amsmath}\n\\allowdisplaybreaks\n\\begin{document}\n\n${body}\n\\end{document}\n`
}
