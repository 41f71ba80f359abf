// A symbolic tensor program's notes (--shape with --format markdown or latex): the table's
// sections, every formula written by the one matrix writer in LaTeX's notation (ᵀ as ^\top, ⊙ as
// \odot, a quotient as a fraction, .^2 as the Hadamard power, 𝟏₃ as \mathbf{1}_{3}), and each
// gradient with its shape, ∈ \mathbb{R}^{3\times 2}.
import { formulaFeatures, write, type M, type MatrixNotation, type SymbolicTrace } from '../tensor/symbolic.js'
import type { Shape } from '../tensor/tensor.js'
import { shapeCell } from '../steps/values.js'
import { SYMBOLIC_WORDS as W } from '../steps/tensor-words.js'
import { latexName } from './tex.js'
import { latexText } from './tensor-notes.js'
import { statements } from './tensor-symbolic.js'

/** The functions LaTeX has an operator for; any other is \operatorname{…}. */
const CALLS: Record<string, string> = { exp: '\\exp', log: '\\log', tanh: '\\tanh', sin: '\\sin', cos: '\\cos', sigmoid: '\\sigma', max: '\\max', min: '\\min' }

const TEX: MatrixNotation = {
  math: false,
  // A constant as the program wrote it: sqrt(2) is \sqrt{2}.
  name: (name) => (name === 'ḡ' ? '\\bar{g}' : /^sqrt\((.+)\)$/.test(name) ? `\\sqrt{${name.slice(5, -1)}}` : latexName(name)),
  paren: (text) => `\\left(${text}\\right)`,
  grad: (of, wrt) => `\\frac{\\partial ${latexName(of)}}{\\partial ${latexName(wrt)}}`,
  ones: (shape) =>
    shape.length === 2 && shape[0] === 1
      ? `\\mathbf{1}_{${shape[1]}}^{\\top}`
      : `\\mathbf{1}_{${shape.length === 2 && shape[1] === 1 ? shape[0] : shape.join('\\times ')}}`,
  // Juxtaposition, as a textbook writes W x; a thin space keeps names apart.
  times: '\\,',
  // Braced whole: h^{(2)} transposed is {h^{(2)}}^{\top}, never a double superscript.
  transpose: (a) => `{${a}}^{\\top}`,
  infix: { add: ' + ', sub: ' - ', mul: ' \\odot ', div: ' \\oslash ', pow: '^' },
  fraction: (top, bottom) => `\\frac{${top}}{${bottom}}`,
  power: (base, exponent) => `{${base}}^{\\circ ${exponent}}`,
  indicator: (a, relation, b) => `[${a} ${relation === '≥' ? '\\ge' : '>'} ${b}]`,
  call: (fn, args) => (fn === 'sqrt' ? `\\sqrt{${args[0]}}` : `${CALLS[fn] ?? `\\operatorname{${fn}}`}\\left(${args.join(', ')}\\right)`),
  norm: (a) => `\\lVert ${a} \\rVert`,
}

export const texOf = (m: M) => write(m, TEX)

/** ∈ ℝ^{3×2}, ℝ^{3} for a vector, ℝ for a scalar. */
const space = (shape: Shape) => (shape.length === 0 ? '\\mathbb{R}' : `\\mathbb{R}^{${shape.join('\\times ')}}`)

/** The rows of each section, as LaTeX: what both notes write. */
function sections(trace: SymbolicTrace) {
  const { nodes } = trace
  const out = nodes[trace.output]!.label
  const grad = (of: string, wrt: string) => TEX.grad(of, wrt)
  return {
    out,
    forward: nodes.flatMap((node) =>
      node.kind === 'constant' ? [] : [{ node: latexName(node.label), expression: node.expression, shape: node.shape, value: texOf(node.value) }],
    ),
    rules: trace.edges.map((edge) => ({
      operation: `${nodes[edge.consumer]!.label} = ${nodes[edge.consumer]!.expression}`,
      input: nodes[edge.input]!.label,
      rule: texOf(edge.rule),
      shapes: edge.shapes ?? '',
    })),
    backward: trace.edges.map((edge) => ({
      gradient: grad(out, nodes[edge.input]!.label),
      through: nodes[edge.consumer]!.label,
      contribution: texOf(edge.contribution),
    })),
    // The known form's sentence with its two formulas left to each face: \u0001 the target, \u0002 the form.
    known: trace.edges.flatMap((edge) =>
      edge.known
        ? [
            {
              sentence: W.knownForm(`∂${out}/∂${nodes[edge.input]!.label}`, '\u0001', '\u0002', nodes[edge.consumer]!.shape.length === 2).trim(),
              target: texOf(edge.known.target),
              form: texOf(edge.known.form),
            },
          ]
        : [],
    ),
    // Each gradient as an aligned pair: its formula with its shape, and where it is shorter the same collected.
    gradients: trace.gradients.map((g) => [
      `${grad(out, g.name)} &= ${texOf(g.grad)} \\in ${space(g.shape)}`,
      ...(g.collected ? [`&= ${texOf(g.collected)} \\quad \\text{${W.collected}}`] : []),
    ]),
    shapes: [...trace.declared].map(([name, shape]) => `${latexName(name)} \\in ${space(shape)}`),
  }
}

const code = (s: string) => `\`${s}\``
const mdRow = (cells: string[]) => `| ${cells.join(' | ')} |`
const mdTable = (head: string[], rows: string[][]) => [mdRow(head), mdRow(head.map(() => '---')), ...rows.map(mdRow)].join('\n')

export function renderSymbolicMarkdown(trace: SymbolicTrace): string {
  const s = sections(trace)
  const lines = [
    `## ${W.programTitle}`,
    '',
    '```text',
    ...statements(trace.source),
    '```',
    '',
    `${W.shapesTitle}: ${s.shapes.map((x) => `$${x}$`).join(', ')}`,
    '',
  ]
  lines.push(
    `### ${W.forwardTitle}`,
    '',
    mdTable(
      W.forwardColumns,
      s.forward.map((r) => [`$${r.node}$`, r.expression ? code(r.expression) : '', shapeCell(r.shape), `$${r.value}$`]),
    ),
    '',
  )
  lines.push(
    `### ${W.rulesTitle}`,
    '',
    mdTable(
      W.rulesColumns,
      s.rules.map((r) => [code(r.operation), code(r.input), `$${r.rule}$`, r.shapes]),
    ),
    '',
  )
  lines.push(
    `### ${W.backwardTitle(s.out)}`,
    '',
    mdTable(
      W.backwardColumns,
      s.backward.map((r) => [`$${r.gradient}$`, code(r.through), `$${r.contribution}$`]),
    ),
    '',
  )
  for (const known of s.known) lines.push(known.sentence.replace('\u0001', `$${known.target}$`).replace('\u0002', `$${known.form}$`), '')
  lines.push(`### ${W.gradientsTitle}`, '')
  for (const g of s.gradients)
    lines.push('```math', g.length === 1 ? g[0]!.replace(' &= ', ' = ') : `\\begin{aligned}\n${g.join(' \\\\\n')}\n\\end{aligned}`, '```', '')
  lines.push(...W.notes(formulaFeatures(trace), 'tex').map((note) => `- ${note}`))
  return `${lines.join('\n')}\n`
}

export function renderSymbolicLatex(trace: SymbolicTrace, { standalone = false } = {}): string {
  const s = sections(trace)
  const align = (rows: string[]) => ['\\begin{align*}', rows.join(' \\\\\n'), '\\end{align*}']
  const lines = [
    '% backprop-tutor symbolic trace of:',
    ...trace.source.split('\n').map((l) => `%   ${l}`),
    '% (\\mathbb needs \\usepackage{amssymb})',
    '',
    `\\paragraph{${latexText(W.programTitle)}}`,
    `${W.shapesTitle}: ${s.shapes.map((x) => `$${x}$`).join(', ')}.`,
    '',
    `\\paragraph{${latexText(W.forwardTitle)}}`,
    ...align(s.forward.map((r) => `${r.node} &= ${r.value} && ${space(r.shape)}`)),
    `\\paragraph{${latexText(W.rulesTitle)}}`,
    ...align(
      s.rules.map((r) => `\\text{${latexText(r.operation)}}, ${latexName(r.input)}: &\\quad ${r.rule}${r.shapes ? ` && \\text{${latexText(r.shapes)}}` : ''}`),
    ),
    `\\paragraph{${latexText(W.backwardTitle(s.out))}}`,
    ...align(s.backward.map((r) => `${r.gradient} &\\mathrel{{+}{=}} ${r.contribution} && \\text{through } ${latexName(r.through)}`)),
    ...s.known.map((known) => `${latexText(known.sentence).replace('\u0001', `$${known.target}$`).replace('\u0002', `$${known.form}$`)}\par`),
    `\\paragraph{${latexText(W.gradientsTitle)}}`,
    ...align(s.gradients.map((g) => g.join(' \\\\\n'))),
    ...W.notes(formulaFeatures(trace), 'tex').map((note) => `${note}\\par`),
  ]
  const body = `${lines.join('\n')}\n`
  if (!standalone) return body
  return `\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n\\allowdisplaybreaks\n\\begin{document}\n\n${body}\n\\end{document}\n`
}
