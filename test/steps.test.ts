// The steps layer: every face says the same things, from the same data.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { runCli } from './helpers.js'
import { traceProgram } from '../src/pipeline.js'
import { lesson } from '../src/steps/lesson.js'
import { notation } from '../src/steps/text.js'
import { OPS, type OpId } from '../src/ops.js'
import { placeholders, ruleSentence } from '../src/steps/words.js'
import { S } from '../src/sym.js'

const MISSION = ['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2']
/** Sentences of --explain that every face prints, in words a face cannot change. */
const SENTENCES = [
  'Each node applies its operation to values computed above it, so every input is ready before it is used.',
  'A local derivative looks at one operation alone: how its output changes when one input changes, the others held fixed.',
  'the output changes one-for-one with itself.',
  'Each row is the chain rule for one edge: the gradient arriving at a node (upstream) times the local derivative of the operation it passes back through.',
  'Multiplying the local derivatives along a path gives how a change travels along it; the gradient is the sum over all paths.',
  "(each factor's derivative is the other factor).",
]

describe('--explain', () => {
  it.each([['table'], ['markdown'], ['latex']])('adds the same sentences to %s, and only with --explain', async (format) => {
    const plain = (await runCli([...MISSION, '--format', format])).stdout
    const explained = (await runCli([...MISSION, '--format', format, '--explain', '--width', '1000'])).stdout
    for (const sentence of SENTENCES) {
      expect(plain).not.toContain(sentence)
      expect(explained).toContain(sentence)
    }
  })

  it('puts the fan-out sentence after the backward table in each face', async () => {
    for (const format of ['table', 'markdown', 'latex']) {
      const text = (await runCli(['x*x*x', '--x', '2', '--format', format, '--explain', '--width', '1000'])).stdout
      expect(text).toMatch(/feeds 3 inputs, so .* adds up all 3 contributions: every path the change can take counts\./)
    }
  })
})

describe('rules explained from the op table', () => {
  it('prints each formula from the local derivative itself, at placeholder inputs', () => {
    const n = notation({ ascii: true, precision: 6 })
    for (const [id, op] of Object.entries(OPS) as [OpId, (typeof OPS)[OpId]][]) {
      op.inputs.forEach((input, slot) => {
        const args = op.inputs.map((_, k) => ({ name: ['u', 'v'][k]! }))
        const sentence = n.print(ruleSentence(id, slot, ['u', 'v']))
        expect(sentence).toContain(` = ${n.print([{ kind: 'value', value: input.local(S, args) }])} (${input.rule.why}).`)
      })
    }
  })

  it('chooses placeholder names the program does not use', () => {
    expect(placeholders(traceProgram('u*v + a*b').trace)).toEqual(['p', 'q'])
    expect(placeholders(traceProgram('u*p + a*r').trace)).toEqual(['u1', 'v1'])
  })
})

describe('check --format json carries what the table says', () => {
  it('gives each claim the sentences the terminal prints, and the judgement as data', async () => {
    const claims = readFileSync(new URL('../examples/handwritten-trace.claims', import.meta.url), 'utf8')
    const program = readFileSync(new URL('../examples/handwritten-trace.txt', import.meta.url), 'utf8')
    const args = ['check', '--file', 'p.txt', '--claims', 'c.txt', '--x', '1', '--w', '1', '--b', '0', '--y', '0']
    const files = { 'p.txt': program, 'c.txt': claims }
    const table = (await runCli(args, { files })).stdout
    const json = JSON.parse((await runCli([...args, '--format', 'json'], { files })).stdout) as { claims: { explanation: string[] }[] }
    // The lines under each claim in the terminal, indented by five spaces.
    const blocks = table
      .split(/\n(?=[✓✗] \d+\. )/)
      .slice(1)
      .map((block) =>
        block
          .split('\n')
          .slice(1)
          .filter((l) => l.startsWith('     '))
          .map((l) => l.slice(5)),
      )
    expect(blocks).toHaveLength(json.claims.length)
    json.claims.forEach((claim, k) => expect(claim.explanation).toEqual(blocks[k]))
  })
})

describe('the lesson as data', () => {
  it("numbers a fan-out node's contributions and closes them with their sum", () => {
    const steps = lesson(traceProgram('x*x*x', { x: 2 }).trace, { explain: false })
    expect([...steps.backward()].map((s) => (s.kind === 'contribution' ? `${s.kind} ${s.k}/${s.total} ${s.contribution}` : s.kind))).toEqual([
      'seed',
      'contribution 1/1 2',
      'contribution 1/3 4',
      'contribution 2/3 4',
      'contribution 3/3 4',
      'sum',
    ])
  })
})

describe('check: a derivative written upside down, or between independent nodes', () => {
  const MISSION_CHECK = ['check', '(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--format', 'json']
  it('recognizes dx/dL as upside down, and says when the number is dL/dx', async () => {
    const result = await runCli([...MISSION_CHECK, '--claim', 'dx/dL = -2', '--claim', 'dx/dL = 5', '--claim', 'dw/dx = 1'])
    const claims = JSON.parse(result.stdout).claims as { value: number; diagnosis: Record<string, unknown>; explanation: string[] }[]
    expect(claims.map((c) => [c.value, c.diagnosis])).toEqual([
      [0, { kind: 'upside-down', reverse: -2 }],
      [0, { kind: 'upside-down', reverse: -2 }],
      [0, { kind: 'partial', independent: true }],
    ])
    expect(claims[0]!.explanation[1]).toBe(
      '∂x/∂L is upside down: x does not depend on L, so ∂x/∂L = 0. The other way up, ∂L/∂x = -2, which is your number: write it d L / d x.',
    )
    expect(claims[1]!.explanation[1]).toBe('∂x/∂L is upside down: x does not depend on L, so ∂x/∂L = 0. The other way up, ∂L/∂x = -2.')
    expect(claims[2]!.explanation[1]).toBe('w does not depend on x (no path leads from x up to w), so ∂w/∂x = 0.')
  })
})

describe('--wrt an intermediate node', () => {
  it('limits the backward pass to the way down to it, and gives its gradient', async () => {
    const result = await runCli(['yhat = x*w + b; loss = (yhat - y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--wrt', 'yhat', '--width', '1000'])
    expect(result.code).toBe(0)
    const backward = result.stdout.slice(result.stdout.indexOf('3. Backward pass'), result.stdout.indexOf('4. Chains'))
    expect(backward.match(/^│ ∂loss\/∂\S+/gm)).toEqual(['│ ∂loss/∂loss', '│ ∂loss/∂t2', '│ ∂loss/∂yhat'])
    expect(result.stdout).toContain('│ yhat     │ -2              │                   │ not checked │')
    expect(result.stdout).toContain('  yhat: the finite-difference check nudges the variables, not the nodes computed from them')
  })

  it('names what it can be when the name is nothing of the program', async () => {
    const result = await runCli(['x*w', '--x', '1', '--w', '1', '--wrt', 'q'])
    expect(result).toMatchObject({
      code: 1,
      stderr: 'backprop-tutor: error: --wrt q: the program has no variable or node q (its variables and nodes: x, w, L)\n',
    })
  })
})

describe('--explain on a big program', () => {
  it('names the first few local derivatives of a rule and counts the rest', () => {
    const terms = 1000
    const { trace } = traceProgram(Array.from({ length: terms }, (_, k) => `x${k}`).join(' + '), {})
    const steps = lesson(trace, { explain: true })
    const n = notation({ precision: 6, ascii: false })
    const [sentence] = steps.explain.localsAfter.map((phrase) => n.print(phrase))
    expect(steps.explain.localsAfter).toHaveLength(1)
    // 999 sums of two inputs each: six named, the rest counted.
    expect(sentence).toMatch(/^∂\(x0 \+ x1\)\/∂x0 = 1, ∂\(x0 \+ x1\)\/∂x1 = 1, (∂\([^)]*\)\/∂\w+ = 1, ){3}∂\([^)]*\)\/∂\w+ = 1 and 1992 more: Sum rule/)
  })
})
