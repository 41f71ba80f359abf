// The lesson's steps as LaTeX rows (lhs &= rhs), for the latex format's align* blocks and the
// markdown format's tables and display math. What each row says comes from the steps layer.
import type { Trace } from '../trace.js'
import { product, sum, value, type Phrase } from '../steps/cells.js'
import { lesson, type Lesson, expand } from '../steps/lesson.js'
import { FORWARD, SEED, checkStatusText, contributionOf, intermediateChains, longChains, pathLabel, sumOf } from '../steps/words.js'
import type { ForwardMode } from '../modes/forward.js'
import { comparison, tangentLines, tangentResult } from '../steps/tangents.js'
import { blockLines } from './tex-lines.js'
import { latexName, latexNumber, latexSym, texFace, type TexFace } from './tex.js'
import type { RenderOptions } from './index.js'

export interface MathSteps {
  lesson: Lesson
  face: TexFace
  /** Each statement as parsed, name and expression: `L`, `\left(x \cdot w + b - y\right)^{2}`. */
  program: { name: string; expression: string }[]
  bindings: string[]
  /** Per node (not constants): name, op, expression in its inputs, value. */
  forward: { node: string; op: string; expression: string; value: string }[]
  /** Per edge on the output's path: the local derivative, rule, symbolic, value. */
  locals: { local: string; rule: string; symbolic: string; value: string }[]
  /** Backward pass rows in visiting order, fan-out sums included. */
  backward: { gradient: string; product: string; values: string; contribution: string }[]
  /** align rows of the chain products per variable. */
  chains: string[]
  /** Per variable: gradient, finite-difference estimate, check status. */
  gradients: { variable: string; partial: string; grad: string; estimate: string; check: string }[]
  /** --explain sentences in running text, by where they go. */
  explain: Record<keyof Lesson['explain'], string[]>
  /** The lines that tell a local derivative from a gradient, in running text. */
  notation: string[]
  warnings: string[]
}

export function mathSteps(trace: Trace, options: RenderOptions, medium: 'markdown' | 'latex'): MathSteps {
  const p = options.precision
  const steps = lesson(trace, { wrt: options.wrt, explain: options.explain, chains: options.chains ?? 'short' })
  const face = texFace({ precision: p, medium, ascii: options.ascii })
  const { math } = face
  const sym = (s: Sym) => latexSym(s, p)

  const backward = backwardRows(steps, face, sym)
  const chains = chainRows(steps, face, sym)

  const text = (phrases: Phrase[]) => phrases.map(face.text)
  return {
    lesson: steps,
    face,
    program: steps.statements.map((i) => ({ name: latexName(trace.nodes[i]!.label), expression: sym(expand(trace, i)) })),
    bindings: Object.entries(trace.bindings).map(([k, v]) => `${latexName(k)} = ${latexNumber(v, p)}`),
    forward: [...steps.forward()].map((row) => ({
      node: latexName(trace.nodes[row.node]!.label),
      op: row.op,
      expression: row.expression ? sym(row.expression) : '',
      value: sym(row.value),
    })),
    locals: [...steps.locals()].map((row) => ({ local: math(row.local), rule: row.rule, symbolic: sym(row.symbolic), value: sym(row.value) })),
    backward,
    chains,
    gradients: steps.gradients.map((row) => {
      const check = row.check
      return {
        variable: latexName(row.variable),
        partial: math({ kind: 'grad', of: steps.out, wrt: row.variable }),
        grad: sym(row.grad),
        estimate: check?.estimate !== undefined ? latexNumber(check.estimate, p) : '',
        check: check ? checkStatusText(check.status, check.reason, 'notes') : '',
      }
    }),
    explain: {
      forward: text(steps.explain.forward),
      locals: text(steps.explain.locals),
      localsAfter: text(steps.explain.localsAfter),
      backward: text(steps.explain.backward),
      backwardAfter: text(steps.explain.backwardAfter),
      chains: text(steps.explain.chains),
      gradients: text(steps.explain.gradients),
    },
    notation: text(steps.notation),
    warnings: text(steps.warnings),
  }
}

type Sym = Parameters<typeof latexSym>[0]

/** The backward pass as LaTeX cells: gradient, upstream · local, values, contribution. */
function backwardRows(steps: Lesson, { math }: TexFace, sym: (s: Sym) => string): MathSteps['backward'] {
  return [...steps.backward()].map((step) => {
    if (step.kind === 'seed') return { gradient: math(step.gradient), product: `\\text{${SEED}}`, values: '', contribution: '1' }
    if (step.kind === 'sum') {
      return { gradient: math(step.gradient), product: `\\text{${sumOf(step.total)}}`, values: math(sum(step.terms)), contribution: sym(step.grad) }
    }
    return {
      gradient: math(step.gradient) + (step.total > 1 ? `\\ \\text{${contributionOf(step.k, step.total)}}` : ''),
      product: math(product(step.upstream, step.local)),
      values: math(step.values),
      contribution: sym(step.contribution),
    }
  })
}

/** The chains as align* rows: per path its local derivatives, then their values and product. */
function chainRows(steps: Lesson, { math, text }: TexFace, sym: (s: Sym) => string): string[] {
  const chains: string[] = []
  for (const chain of steps.chains) {
    const grad = math(chain.gradient)
    if (chain.kind === 'no-path') {
      chains.push(`${grad} &= 0 && \\text{no path}`)
    } else if (chain.kind === 'intermediate') {
      chains.push(`${grad} && \\text{${intermediateChains(chain.variable)}}`)
    } else if (chain.kind === 'long') {
      chains.push(`${grad} &= ${sym(chain.total)} && \\text{${longChains(chain.count, chain.longest, chain.zero)}}`)
    } else if (chain.kind === 'too-many') {
      const count =
        Number.isFinite(chain.count) && chain.count <= Number.MAX_SAFE_INTEGER
          ? String(chain.count)
          : `\\text{more than } ${latexNumber(Math.min(chain.count, Number.MAX_VALUE), 3)}`
      chains.push(`${grad} &: ${count} \\text{ paths, summed in the backward pass}`)
    } else {
      for (const [k, path] of chain.paths.entries()) {
        const lhs = chain.paths.length > 1 ? `${grad},\\ \\text{${pathLabel(k + 1)}}` : grad
        chains.push(`${lhs} &= ${path.locals.map(math).join(' \\cdot ')}`)
        const note = path.selected ? ` && \\text{${text(path.selected)}}` : ''
        chains.push(path.values.length > 1 ? `&= ${path.values.map(math).join(' \\cdot ')} = ${sym(path.product)}${note}` : `&= ${sym(path.product)}${note}`)
      }
      if (chain.paths.length > 1) chains.push(`${grad} &= ${math(sum(chain.paths.map((path) => path.product)))} = ${math(value(chain.total))}`)
    }
  }
  return chains
}

/** Rows of an align* environment, each broken across lines where it is too wide for a page. */
export function align(rows: string[]): string {
  return `\\begin{align*}\n${blockLines(rows)
    .map((r) => `  ${r}`)
    .join(' \\\\\n')}\n\\end{align*}`
}

/** Forward mode in the LaTeX face, for markdown and latex: per input a title, rows and the result; then the comparison. */
export interface ForwardMath {
  passes: { title: string; explain: string[]; rows: { tangent: string; rule: string; values: string; value: string }[]; result: string }[]
  compareTitle: string
  comparison: string[]
}

export function forwardMath(trace: Trace, mode: ForwardMode, options: RenderOptions, face: TexFace, first: number): ForwardMath {
  return {
    passes: mode.passes.map((pass, k) => ({
      title: face.text(FORWARD.title(first + k, pass.variable)),
      explain: options.explain ? [face.text(FORWARD.explain(pass.variable))] : [],
      rows: tangentLines(trace, pass).map((line) => ({
        tangent: face.math(line.tangent),
        rule: face.mathPhrase(line.rule),
        values: face.mathPhrase(line.values),
        value: face.math(line.value),
      })),
      result: face.text(tangentResult(trace, pass)),
    })),
    compareTitle: face.text(FORWARD.compareTitle(first + mode.passes.length)),
    comparison: comparison(trace, mode).map(face.text),
  }
}
