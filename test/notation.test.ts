// A local derivative is never written like a gradient, in any format or mode: a derivative written
// with a bare node name on top (∂L/∂x, \frac{\partial L}{\partial x}, dL/dx) is always a gradient of
// the output, and every local derivative is written with its operation (∂(t1·x)/∂x).
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers.js'
import { traceProgram } from '../src/pipeline.js'
import { latexName } from '../src/render/tex.js'

const PROGRAMS: [program: string, values: string[]][] = [
  ['x*x*x', ['--x', '2']],
  ['(x*w+b-y)^2', ['--x', '1', '--w', '1', '--b', '0', '--y', '2']],
  ['(x*w+b-y)^2', ['--x', '1', '--w', '1']],
  // The output's own operation takes x twice, and x reaches it through another path too.
  ['y = w*x; L = y*x + x*x', ['--x', '3', '--w', '2']],
  ['h = tanh(w*x); loss = (h - y)^2', ['--x', '0.5', '--w', '-1', '--y', '1']],
]

const bindingsOf = (values: string[]) => Object.fromEntries(values.flatMap((v, k) => (k % 2 === 0 ? [[v.slice(2), values[k + 1]!]] : [])))

const NAME = String.raw`[\p{L}_$][\p{L}\p{N}_$#]*`

/** Numerators of the derivatives written in a text: what is on top of ∂…/∂, d…/d or \frac{\partial …}. */
function numerators(text: string, face: 'unicode' | 'ascii' | 'latex'): string[] {
  if (face === 'latex') return [...text.matchAll(/\\frac\{\\partial ((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}\{\\partial/g)].map((m) => m[1]!)
  const pattern = face === 'unicode' ? /∂([^/∂\n]*?)\/∂/gu : new RegExp(String.raw`(?<![\p{L}\p{N}_$/])d(${NAME}|\()(?=[^\n]*?\/d)`, 'gu')
  return [...text.matchAll(pattern)].map((m) => m[1]!)
}

/** Every derivative with a bare name on top is a gradient of the output (and, but in graphs, there are some). */
function expectOnlyOutputGradientsByName(text: string, face: 'unicode' | 'ascii' | 'latex', labels: string[], out: string, graph = false): void {
  const bare = new Set(face === 'latex' ? labels.map(latexName) : labels)
  const top = face === 'latex' ? latexName(out) : out
  const byName = numerators(text, face).filter((n) => bare.has(n))
  if (!graph) expect(byName.length).toBeGreaterThan(0)
  expect(byName.filter((n) => n !== top)).toEqual([])
}

describe.each(PROGRAMS)('%s: local derivatives and gradients never share a notation', (program, values) => {
  const { trace } = traceProgram(program, bindingsOf(values))
  const labels = trace.nodes.map((node) => node.label)
  const out = trace.nodes[trace.output]!.label
  const edges = trace.edges.filter((edge) => trace.nodes[edge.to]!.onPath)

  it.each([
    ['table', 'unicode', []],
    ['table', 'ascii', ['--ascii']],
    ['table, --explain', 'unicode', ['--explain']],
    ['markdown', 'latex', ['--format', 'markdown', '--explain']],
    ['latex', 'latex', ['--format', 'latex', '--explain']],
    ['dot', 'unicode', ['--format', 'dot']],
    ['mermaid', 'unicode', ['--format', 'mermaid']],
    ['mermaid, --ascii', 'ascii', ['--format', 'mermaid', '--ascii']],
  ] as const)('%s', async (name, face, options) => {
    const result = await runCli([program, ...values, ...options])
    expect(result.code).toBe(0)
    const text = result.stdout
    if (face === 'latex') {
      // Markdown's graph is mermaid's, in Unicode; its math is LaTeX.
      expectOnlyOutputGradientsByName(text.replace(/```mermaid[\s\S]*?```/, ''), 'latex', labels, out)
    } else {
      expectOnlyOutputGradientsByName(text, face, labels, out, name.startsWith('dot') || name.startsWith('mermaid'))
    }
    // Every local derivative is written with its consumer's operation.
    for (const edge of edges) {
      const consumer = trace.nodes[edge.to]!
      const written = numerators(text, face).some(
        (n) =>
          n !== (face === 'latex' ? latexName(consumer.label) : consumer.label) &&
          (face === 'latex' ? n.includes('\\') || n.includes('^') || n.includes('+') || n.includes('-') : n.startsWith('(') || n.includes('(')),
      )
      expect(written).toBe(true)
    }
  })

  it('json names each edge by its operation', async () => {
    const result = JSON.parse((await runCli([program, ...values, '--format', 'json'])).stdout) as { edges: { name: string; to: string }[]; output: string }
    for (const edge of result.edges) expect(edge.name).toMatch(/^d(\(|[a-z]+\().*\)\/d/)
  })
})

// The quiz and check need every variable bound.
describe.each(PROGRAMS.filter(([program, values]) => traceProgram(program, bindingsOf(values)).trace.unbound.length === 0))(
  '%s in the modes that teach',
  (program, values) => {
    const { trace } = traceProgram(program, bindingsOf(values))
    const labels = trace.nodes.map((node) => node.label)
    const out = trace.nodes[trace.output]!.label

    it('quiz asks for local derivatives by their operation, and check answers in the same notation', async () => {
      const quiz = await runCli(['quiz', program, ...values], { answers: Array.from({ length: 400 }, () => '999') })
      expect(quiz.code).toBe(0)
      expectOnlyOutputGradientsByName(quiz.stdout, 'unicode', labels, out)
      const claims = trace.gradients.flatMap((g) => ['--claim', `d${out}/d${g.name} = 999`])
      const check = await runCli(['check', program, ...values, ...claims])
      expect(check.code).toBe(3)
      expectOnlyOutputGradientsByName(check.stdout, 'unicode', labels, out)
      expect(check.stdout).not.toMatch(/(∂\S+) is \S+, not \1/)
    })
  },
)

describe('x*x*x: each of the three contributions reads as upstream × local', () => {
  it('writes the local ∂(t1·x)/∂x = 4 beside the gradient ∂L/∂x = 12, and marks the two uses of x in x·x', async () => {
    const { stdout } = await runCli(['x*x*x', '--x', '2', '--width', '1000'])
    expect(stdout).toContain('│ ∂L/∂x (1 of 3) │ ∂L/∂L · ∂(t1·x)/∂x          │ 1 · 4     │ 4            │')
    expect(stdout).toContain('│ ∂L/∂x (2 of 3) │ ∂L/∂t1 · ∂(x[1]·x[2])/∂x[1] │ 2 · 2     │ 4            │')
    expect(stdout).toContain('│ ∂L/∂x (3 of 3) │ ∂L/∂t1 · ∂(x[1]·x[2])/∂x[2] │ 2 · 2     │ 4            │')
    expect(stdout).toContain('│ ∂L/∂x          │ sum of 3 contributions      │ 4 + 4 + 4 │ 12           │')
    expect(stdout).toContain('② is written as a gradient: ∂L/∂x is the whole effect of x on L, along every path.')
  })

  it('check tells a local derivative from the gradient, in words and in JSON', async () => {
    const text = await runCli(['check', 'x*x*x', '--x', '2', '--claim', 'd t1 / d x = 2'])
    expect(text.stdout).toContain('∂(x·x)/∂x is 4, not 2\n     ∂(x·x)/∂x = x + x (product rule, x is used 2 times, so the local derivatives add) = 4.')
    const json = JSON.parse(
      (await runCli(['check', 'yhat = x*w; loss = yhat^2', '--x', '2', '--w', '3', '--claim', 'dloss/dx = 3', '--format', 'json'])).stdout,
    )
    expect(json.claims[0].explanation).toContain(
      '3 is the local derivative ∂(x·w)/∂x = w, not ∂loss/∂x: multiply it by the upstream ∂loss/∂yhat = 12 (② multiply along the chain).',
    )
  })

  it('check never picks one of several equal contributions as the one left out, nor advises a multiplication by 1', async () => {
    const text = await runCli(['check', 'x*x*x', '--x', '2', '--claim', 'dL/dx = 8'])
    expect(text.stdout).toContain('Your number leaves out 1 of its 3 contributions: x feeds L, t1, so its gradient sums all 3 contributions (4 + 4 + 4).')
    const fanOut = await runCli(['check', 'x*y + x', '--x', '3', '--y', '4', '--claim', 'dL/dx = 4'])
    expect(fanOut.stdout).toContain('Your number leaves out ∂L/∂L · ∂(t1 + x)/∂x: x feeds L, t1, so its gradient sums both contributions (1 + 4).')
    expect(fanOut.stdout).not.toContain('multiply it by the upstream')
    const again = await runCli(['check', 'x*y + x', '--x', '3', '--y', '4', '--claim', 'dL/dx = y + 1', '--claim', 'dL/dx = 7'])
    expect(again.stdout).toContain('✗ 2. dL/dx = 7\n     ∂L/∂x is 5, not 7\n     Your claim 1 has it right: ∂L/∂x = y + 1 = 5.\n')
  })

  it('accepts a local derivative written by its operation, or by the marked form, and judges it as a local derivative', async () => {
    const result = await runCli([
      'check',
      'x*x*x',
      '--x',
      '2',
      '--claim',
      'd(t1*x)/dx = 4',
      '--claim',
      'd(x*x)/dx = 4',
      '--claim',
      'd(x[1]*x[2])/dx[2] = 2',
      '--claim',
      'd(x*t1)/dx = 12',
      '--format',
      'json',
    ])
    const claims = JSON.parse(result.stdout).claims as { kind: string; value: number; right: boolean; meaning: string }[]
    expect(claims.map((c) => [c.kind, c.value, c.right, c.meaning])).toEqual([
      ['local', 4, true, '∂(t1·x)/∂x'],
      // Both uses of x in x·x: the operation's own derivative, 2x.
      ['local', 4, true, '∂(x·x)/∂x'],
      ['local', 2, true, '∂(x[1]·x[2])/∂x[2]'],
      ['local', 4, false, '∂(t1·x)/∂x'],
    ])
  })
})
