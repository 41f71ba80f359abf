// The tutor modes, driven as a user drives them: quiz through its answers, check and training
// through the command line. Expected numbers come from the test's own arithmetic or from the
// trace's JSON face, never from the mode under test.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { json, runCli } from './helpers.js'
import { randomTensorExercise } from '../src/modes/exercise.js'
import { traceTensorProgram } from '../src/tensor/pipeline.js'

const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url))

/** A one-neuron model trained on w and b, with x and y held fixed: the README's training sample. */
const TANH_TRAINING = ['yhat = tanh(x*w + b); loss = (yhat - y)^2', '--x', '1', '--w', '0.2', '--b', '0', '--y', '0.8', '--data', 'x,y', '--lr', '0.5']

describe('training: --lr', () => {
  // L = (x*w + b - y)^2: dL/dw = 2(xw + b - y)·x, dL/db = 2(xw + b - y).
  const step = (p: { w: number; b: number }, x: number, y: number, lr: number) => {
    const r = x * p.w + p.b - y
    return { loss: r * r, dw: 2 * r * x, db: 2 * r, next: { w: p.w - lr * 2 * r * x, b: p.b - lr * 2 * r } }
  }

  it('updates every parameter by -lr times its gradient, step after step (JSON)', async () => {
    const result = await runCli([
      '(x*w+b-y)^2',
      '--x',
      '2',
      '--w',
      '0.5',
      '--b',
      '0',
      '--y',
      '3',
      '--data',
      'x,y',
      '--lr',
      '0.05',
      '--steps',
      '4',
      '--format',
      'json',
    ])
    expect(result.code).toBe(0)
    const training = JSON.parse(result.stdout).training
    expect(training.params).toEqual(['w', 'b'])
    expect(training.data).toEqual(['x', 'y'])
    let p = { w: 0.5, b: 0 }
    for (const [k, s] of training.steps.entries()) {
      const expected = step(p, 2, 3, 0.05)
      expect(s.step).toBe(k + 1)
      expect(s.params).toEqual(p)
      expect(s.loss).toBeCloseTo(expected.loss, 12)
      expect(s.gradients.w).toBeCloseTo(expected.dw, 12)
      expect(s.gradients.b).toBeCloseTo(expected.db, 12)
      expect(s.next.w).toBeCloseTo(expected.next.w, 12)
      p = s.next
    }
    expect(training.steps).toHaveLength(4)
    expect(training.finalLoss).toBeCloseTo(step(p, 2, 3, 0.05).loss, 12)
    expect(training.finalLoss).toBeLessThan(training.steps[0].loss)
    expect(training.divergence).toBeNull()
  })

  it('prints a table per step with the update written out, and the falling loss as a sparkline', async () => {
    const result = await runCli([...TANH_TRAINING, '--steps', '6'])
    expect(result.code).toBe(0)
    const text = result.stdout
    expect(text).toContain('6. Training: gradient descent on w, b with learning rate η = 0.5')
    for (let k = 1; k <= 6; k++) expect(text).toContain(`  step ${k}: loss = `)
    // Step 1's update of w, from the test's own derivative: 2(tanh(wx+b) - y)(1 - tanh²)·x.
    const h = Math.tanh(0.2)
    const dw = 2 * (h - 0.8) * (1 - h * h)
    const w1 = 0.2 - 0.5 * dw
    expect(text).toContain(`w ← 0.2 - 0.5·(${Number(dw.toPrecision(6))}) = ${Number(w1.toPrecision(6))}`)
    const losses = [...text.matchAll(/step \d+: loss = ([\d.e-]+)/g)].map((m) => Number(m[1]))
    for (let k = 1; k < losses.length; k++) expect(losses[k]).toBeLessThan(losses[k - 1]!)
    const curve = /loss over the run: [\d.e-]+ → [\d.e-]+ {2}([▁▂▃▄▅▆▇█]+)/.exec(text)
    expect(curve?.[1]).toHaveLength(7)
    expect(curve![1]!.startsWith('█')).toBe(true)
    expect(curve![1]!.endsWith('▁')).toBe(true)
  })

  it('says that every variable is trained when none is held fixed, and how to hold them', async () => {
    const { stdout } = await runCli(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '3', '--lr', '0.1', '--width', '1000'])
    expect(stdout).toContain('every variable is trained (x, w, b, y), inputs and targets too: hold those fixed with --data NAMES')
    const held = await runCli(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '3', '--lr', '0.1', '--data', 'x,y'])
    expect(held.stdout).not.toContain('every variable is trained')
  })

  it('prints one row per step with --summary: the loss, each parameter and its gradient', async () => {
    const { stdout } = await runCli([
      '(x*w+b-y)^2',
      '--x',
      '1',
      '--w',
      '1',
      '--b',
      '0',
      '--y',
      '3',
      '--data',
      'x,y',
      '--lr',
      '0.1',
      '--steps',
      '3',
      '--summary',
    ])
    expect(stdout).toContain('│ step │ L ')
    // Step 1 at w = 1, b = 0: L = (1 - 3)² = 4, ∂L/∂w = 2·(-2)·x = -4, ∂L/∂b = -4; then w = b + 1 = 1.4.
    expect(stdout).toMatch(/│ 1 +│ 4 +│ 1 +│ -4 +│ 0 +│ -4 +│/)
    expect(stdout).toMatch(/│ 2 +│ 1\.44 +│ 1\.4 +│ -2\.4 +│ 0\.4 +│ -2\.4 +│/)
    expect(stdout).not.toContain('│ parameter │')
  })

  it('reports a diverging learning rate instead of crashing', async () => {
    const argv = ['(x*w+b-y)^2', '--x', '3', '--w', '0.5', '--b', '0', '--y', '3', '--data', 'x,y', '--lr', '1', '--steps', '4', '--width', '1000']
    const rising = { ...(await runCli(argv)), argv }
    expect(rising.code).toBe(0)
    // Explained where it first rose, with the largest rate that would not overshoot: for
    // (x·w + b − y)² along its gradient the curvature is 2(x² + 1) = 20, so η < 2/20.
    expect(rising.stdout).toContain(
      '⚠ the loss rose from 2.25 to 812.25 over step 1: with η = 1 the step overshoots; along this gradient the loss curves by 20, so η must stay below about 2 / 20 = 0.1; try a smaller --lr',
    )
    // After it, a line per step, no more tables.
    expect(rising.stdout).toMatch(/\n {2}step 2: L = \S+\n {2}step 3: L = \S+\n {2}step 4: L = \S+\n/)
    const json = JSON.parse((await runCli([...rising.argv, '--format', 'json'])).stdout)
    expect(json.training.firstRise).toMatchObject({ step: 1, from: 2.25, to: 812.25 })
    expect(json.training.firstRise.limit).toBeCloseTo(0.1, 6)
    const overflow = await runCli([
      '(x*w+b-y)^2',
      '--x',
      '3',
      '--w',
      '0.5',
      '--b',
      '0',
      '--y',
      '3',
      '--data',
      'x,y',
      '--lr',
      '1e300',
      '--steps',
      '5',
      '--format',
      'json',
    ])
    expect(overflow.code).toBe(0)
    const training = JSON.parse(overflow.stdout).training
    expect(training.steps).toHaveLength(1)
    expect(training.finalLoss).toBeNull()
    expect(training.divergence).toEqual({
      code: 'loss',
      step: 2,
      value: 'Infinity',
      message: 'the loss is Infinity at step 2: the run diverged; try a smaller --lr',
    })
  })

  it('updates every variable not named as data, or exactly --params', async () => {
    const all = JSON.parse((await runCli(['x*w', '--x', '2', '--w', '3', '--lr', '0.1', '--format', 'json'])).stdout).training
    expect(all.params).toEqual(['x', 'w'])
    expect(all.steps[0].next).toEqual({ x: 2 - 0.1 * 3, w: 3 - 0.1 * 2 })
    const some = JSON.parse((await runCli(['x*w', '--x', '2', '--w', '3', '--lr', '0.1', '--params', 'w', '--format', 'json'])).stdout).training
    expect(some.params).toEqual(['w'])
    expect(some.data).toEqual(['x'])
  })

  it.each([
    [['x*w', '--x', '2', '--lr', '0.1'], 1, 'training needs a value for every variable: w has none'],
    [['x*w', '--x', '2', '--w', '1', '--lr', '0.1', '--params', 'q'], 1, '--params q: the program has no variable q'],
    [['x*w', '--x', '2', '--w', '1', '--lr', '0.1', '--params', 'w', '--data', 'w'], 1, 'cannot be both a parameter'],
    [['x*w', '--x', '2', '--w', '1', '--lr', '0.1', '--data', 'x,w'], 1, 'no parameters to train'],
    [['x*w', '--x', '2', '--w', '1', '--lr', '-1'], 2, '--lr -1: expected a positive number'],
    [['x*w', '--x', '2', '--w', '1', '--lr', '0.1', '--steps', '0'], 2, '--steps 0: expected a whole number from 1 to 10000'],
    [['x*w', '--x', '2', '--w', '1', '--steps', '3'], 2, '--steps goes with --lr'],
    [['x*w', '--x', '2', '--w', '1', '--lr', '0.1', '--format', 'dot'], 2, '--lr goes with --format table or json, not dot'],
  ])('refuses %j with one clear message', async (argv, code, message) => {
    const result = await runCli(argv)
    expect(result.code).toBe(code)
    expect(result.stderr).toContain(message)
    expect(result.stdout).toBe('')
  })
})

describe('check: claims worked out by hand', () => {
  const handwritten = async (format: string[] = []) => {
    const files = { 'p.txt': readFileSync(example('handwritten-trace.txt'), 'utf8'), 'c.txt': readFileSync(example('handwritten-trace.claims'), 'utf8') }
    return runCli(['check', '--file', 'p.txt', '--claims', 'c.txt', '--x', '1', '--w', '1', '--b', '0', '--y', '0', ...format], { files })
  }

  it('reads a claim whose value uses other derivatives, each at its true value: dL/dx = dL/da * y', async () => {
    const program = ['check', 'a = x*y; L = a^2', '--x', '3', '--y', '4']
    const claims = ['dL/dx = dL/da * y', 'dL/dx = dL/da * x', 'dL/dx = dL/da * da/dx', 'dL/dy = ∂L/∂a · x']
    const result = await runCli([...program, ...claims.flatMap((c) => ['--claim', c]), '--format', 'json'])
    const out = JSON.parse(result.stdout) as { claims: { claim: string; claimed: number; value: number; right: boolean }[] }
    // a = 12, ∂L/∂a = 2a = 24: ∂L/∂x = 24·4 = 96, ∂L/∂y = 24·3 = 72; dL/da * x is 72, not 96.
    expect(out.claims.map((c) => [c.claimed, c.value, c.right])).toEqual([
      [96, 96, true],
      [72, 96, false],
      [96, 96, true],
      [72, 72, true],
    ])
    // A program whose own names start with d divides them: dy/dx is dy over dx here.
    // A value that uses the derivative it claims says nothing of it; a longer name that ends in d… is no derivative.
    const empty = await runCli([...program, '--claim', 'dL/dx = dL/dx', '--claim', 'dL/dy = bdx/dx*0 + 2*a*x'])
    expect(empty.stdout).toContain('cannot be read: the value uses the derivative it claims, so it says nothing of it')
    expect(empty.stdout).toContain('cannot be read: bdx, dx are not a name with a value here')
    const names = await runCli(['check', 'L = dy * dx', '--dy', '2', '--dx', '4', '--claim', 'dL/ddy = dx', '--claim', 'dL/ddx = dy/dx * dx'])
    expect(names.stdout).toContain('✓ 2. dL/ddx = dy/dx * dx')
  })

  it('names the steps of a loop when a tensor claim says the name they share (h)', async () => {
    const rnn = readFileSync(example('rnn.txt'), 'utf8')
    const values = ['--W', '[0.5, -0.2; 0.1, 0.3]', '--U', '[1, 0; 0.5, 1]', '--X', '[1, 2; 0, 1; -1, 0.5]', '--b', '[0; 0.1]']
    const { stdout } = await runCli(['check', rnn, ...values, '--claim', 'dloss/dh = 2*h'])
    expect(stdout).toContain('cannot be read: h is assigned 4 times (h#0 … h#3, as the trace names them): name one, as in dloss/dh#3')
  })

  it('points a claim about L at the output where the program names it (loss), not at the nearest name', async () => {
    const { stdout } = await runCli(['check', 'yhat = x*w + b; loss = (yhat - y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '0', '--claim', 'dL/dw = 2'])
    expect(stdout).toContain('cannot be read: L is not a node of the program; the output is loss, as in dloss/d… (')
  })

  it('finds the slips of the handwritten trace: the seed first, then what follows from it', async () => {
    const result = await handwritten(['--format', 'json'])
    expect(result.code).toBe(3)
    const out = JSON.parse(result.stdout)
    expect(out.total).toBe(8)
    expect(out.right).toBe(2)
    const byClaim = out.claims as {
      claim: string
      of: string
      wrt: string
      kind: string
      claimed: number
      value: number
      right: boolean
      diagnosis?: Record<string, unknown>
    }[]
    // The true values, from the engine's own JSON at the same point.
    const truth = json('yhat = x*w + b; loss = (yhat - y)^2', { x: 1, w: 1, b: 0, y: 0 })
    const grad = (label: string) => truth.nodes.find((n) => n.label === label)!.grad
    expect(byClaim.map((c) => [c.of, c.wrt, c.right])).toEqual([
      ['loss', 'x', false],
      ['loss', 'w', false],
      ['t2', 'yhat', true],
      ['loss', 't2', true],
      ['loss', 'loss', false],
      ['loss', 't2', false],
      ['loss', 'yhat', false],
      ['loss', 'x', false],
    ])
    expect(byClaim[0]!.value).toBe(truth.gradients.x)
    expect(byClaim[6]!.value).toBe(grad('yhat'))
    expect(byClaim[4]).toMatchObject({ claimed: 2, value: 1, diagnosis: { kind: 'seed' } })
    // 4, 4 and 4 are right steps from the wrong seed 2: the departure is there, not here.
    for (const k of [5, 6, 7]) expect(byClaim[k]!.diagnosis).toEqual({ kind: 'inherited', from: 'loss', follows: true })
    // "∂loss/∂x = 1", written first (under ①), is the local derivative of x·w written where the
    // gradient goes; claim 5, written later, is no part of it.
    expect(byClaim[0]!.diagnosis).toMatchObject({ kind: 'step', localInstead: { of: 't1', wrt: 'x' } })
    expect(byClaim[0]!.diagnosis).not.toHaveProperty('slip')
  })

  it('says first what the slip most likely is, in the order the student worked', async () => {
    const result = await handwritten()
    expect(result.stdout).toContain(
      '✗ 1. d loss / d x = 1\n     ∂loss/∂x is 2, not 1\n     1 is the local derivative ∂(x·w)/∂x = w, not ∂loss/∂x: multiply it by the upstream ∂loss/∂t1 = 2',
    )
  })

  it("says when a wrong gradient is the student's own chain rule over earlier claims, and which factor slipped", async () => {
    const claims = ['d loss/d yhat = -4', 'd yhat / d w = 1', 'd loss / d w = -4']
    const args = ['check', 'yhat = x*w + b; loss = (yhat-y)^2', '--x', '2', '--w', '0.5', '--b', '0', '--y', '3', ...claims.flatMap((c) => ['--claim', c])]
    const { stdout } = await runCli(args)
    expect(stdout).not.toContain('None of your claims')
    expect(stdout).toContain(
      'Your number follows from your claims 1 and 2: ∂loss/∂yhat · ∂yhat/∂w = (-4) · 1 = -4. The chain rule is right; the slip is in claim 2: ∂yhat/∂w is 2, not 1.',
    )
    const { claims: judged } = JSON.parse((await runCli([...args, '--format', 'json'])).stdout)
    expect(judged[2].diagnosis).toEqual({ kind: 'explained', fromClaim: 1, factorClaim: 2 })
  })

  it('reads the Infinity and NaN the trace prints as claims, and judges them as themselves', async () => {
    // ∂L/∂x of sqrt(x) at 0 is Infinity; of sqrt(x)·y at 0, 0 it is 0 · Infinity = NaN.
    const at = (program: string, values: string[], claim: string) => runCli(['check', program, ...values, '--claim', claim, '--format', 'json'])
    const verdict = async (program: string, values: string[], claim: string) => JSON.parse((await at(program, values, claim)).stdout).claims[0]
    for (const claim of ['dL/dx = Infinity', 'dL/dx = inf', 'dL/dx = ∞', 'dL/dx = 1/(2*sqrt(0))'])
      expect((await verdict('sqrt(x)', ['--x', '0'], claim)).right).toBe(true)
    const flipped = await verdict('sqrt(x)', ['--x', '0'], 'dL/dx = -inf')
    expect(flipped).toMatchObject({ right: false, claimed: '-Infinity', value: 'Infinity', diagnosis: { signFlipped: true } })
    // A finite number is no sign slip of Infinity.
    expect((await verdict('sqrt(x)', ['--x', '0'], 'dL/dx = 5')).diagnosis.signFlipped).toBeUndefined()
    expect((await verdict('sqrt(x)*y', ['--x', '0', '--y', '0'], 'dL/dx = NaN')).right).toBe(true)
    expect((await verdict('sqrt(x)*y', ['--x', '0', '--y', '0'], 'dL/dx = Infinity')).right).toBe(false)
  })

  it('gives a number the claims explain that one diagnosis, not a second reading as a local derivative beside it', async () => {
    // 2 is both ∂loss/∂yhat · the claimed ∂yhat/∂w and the local ∂(x·w)/∂w = x: the student's own chain says which.
    const claims = ['dloss/dyhat = 2', 'dyhat/dw = 1', 'dloss/dw = 2']
    const args = ['check', 'yhat = x*w; loss = (yhat - y)^2', '--x', '2', '--w', '1', '--y', '1', ...claims.flatMap((c) => ['--claim', c])]
    const { stdout } = await runCli(args)
    const third = stdout.slice(stdout.indexOf('✗ 3.'))
    expect(third).toContain('Your number follows from your claims 1 and 2: ∂loss/∂yhat · ∂yhat/∂w = 2 · 1 = 2.')
    expect(third).not.toContain('is the local derivative')
  })

  it("says when the student's two right factors give the gradient, and what their number is instead of the product", async () => {
    const program = ['check', 'yhat = x*w + b; loss = (yhat - y)^2', '--b', '0', '--y', '1']
    const judge = async (values: string[], claims: string[]) => {
      const args = [...program, ...values, ...claims.flatMap((c) => ['--claim', c])]
      const { stdout } = await runCli(args)
      const { claims: judged } = JSON.parse((await runCli([...args, '--format', 'json'])).stdout)
      return { text: stdout.slice(stdout.indexOf('✗ 3.')), diagnosis: judged[2].diagnosis }
    }
    // x = 3, w = 1: ∂loss/∂yhat = 2·(3 - 1) = 4 and ∂yhat/∂w = x = 3, so ∂loss/∂w = 12.
    const sum = await judge(['--x', '3', '--w', '1'], ['dloss/dyhat = 4', 'dyhat/dw = 3', 'dloss/dw = 7'])
    expect(sum.text).toContain(
      'Your claims 1 and 2 are right, and the chain rule multiplies them: ∂loss/∂yhat · ∂yhat/∂w = 4 · 3 = 12. Your 7 is their sum, 4 + 3: the chain rule multiplies.',
    )
    expect(sum.text).not.toContain('None of your claims')
    expect(sum.diagnosis).toEqual({ kind: 'unmultiplied', fromClaim: 1, factorClaim: 2, instead: 'sum' })
    const upstream = await judge(['--x', '3', '--w', '1'], ['dloss/dyhat = 4', 'dyhat/dw = 3', 'dloss/dw = 4'])
    expect(upstream.text).toContain('Your 4 is the upstream ∂loss/∂yhat alone: ∂yhat/∂w is left out of the product.')
    expect(upstream.text).not.toContain('is the local derivative')
    // x = 2, w = 1: both factors are 2, so which one was kept is not told.
    const either = await judge(['--x', '2', '--w', '1'], ['dloss/dyhat = 2', 'dyhat/dw = 2', 'dloss/dw = 2'])
    expect(either.text).toContain('= 2 · 2 = 4. Your 2 is one of the two factors alone: the product needs both.')
    expect(either.text).not.toContain('compare your steps')
  })

  it('says no earlier claim gives a gradient on the way, where a later one does (the record is what comes before)', async () => {
    const args = [
      'check',
      'yhat = x*w + b; loss = (yhat - y)^2',
      '--x',
      '1',
      '--w',
      '1',
      '--b',
      '0',
      '--y',
      '0',
      '--claim',
      'dloss/dx = 1',
      '--claim',
      'dloss/dyhat = 2',
    ]
    const { stdout } = await runCli(args)
    expect(stdout).toContain('None of your claims before this one gives a gradient between loss and x')
  })

  it('suggests the nearest name of all for an unknown one, an assigned name only where it is as near', async () => {
    const args = ['check', 'yhat = w*x + b; L = (yhat - y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2']
    const { stdout } = await runCli([...args, ...['dL/dW = 1', 'dL/dxx = 3', 'dL/dyht = 3'].flatMap((c) => ['--claim', c])])
    expect(stdout).toContain('W is not a node of the program; did you mean w?')
    expect(stdout).toContain('xx is not a node of the program; did you mean x?')
    expect(stdout).toContain('yht is not a node of the program; did you mean yhat?')
  })

  it('does not read a formula claim as a sum of the factors from a coincidence of its number', async () => {
    // 2*(yhat - y)*w = -2 here, and -4 + 2 = -2 too; but the student wrote a product (with w for x).
    const args = ['check', 'yhat = w*x + b; L = (yhat - y)^2', '--x', '2', '--w', '0.5', '--b', '0', '--y', '3']
    const claims = ['dL/dyhat = 2*(yhat-y)', 'dyhat/dw = x', 'dL/dw = 2*(yhat-y)*w'].flatMap((c) => ['--claim', c])
    const { stdout } = await runCli([...args, ...claims])
    expect(stdout).toContain('Your claims 1 and 2 are right, and the chain rule multiplies them: ∂L/∂yhat · ∂yhat/∂w = (-4) · 2 = -8.')
    expect(stdout).not.toContain('is their sum')
  })

  it('finds right factors not multiplied down a chain of three, and the sum written for their product', async () => {
    // a = 2x, b = a², L = 3b at x = 1: ∂L/∂b = 3, ∂b/∂a = 2a = 4, ∂a/∂x = 2, so ∂L/∂x = 24; 3 + 4 + 2 = 9.
    const args = ['check', 'a = 2*x; b = a^2; L = 3*b', '--x', '1', ...['dL/db = 3', 'db/da = 4', 'da/dx = 2', 'dL/dx = 9'].flatMap((c) => ['--claim', c])]
    const { stdout } = await runCli(args)
    expect(stdout).toContain(
      '✗ 4. dL/dx = 9\n     ∂L/∂x is 24, not 9\n     Your claims 1, 2 and 3 are right, and the chain rule multiplies them: ∂L/∂b · ∂b/∂a · ∂a/∂x = 3 · 4 · 2 = 24. Your 9 is their sum: the chain rule multiplies.',
    )
    const { claims } = JSON.parse((await runCli([...args, '--format', 'json'])).stdout)
    expect(claims[3].diagnosis).toEqual({ kind: 'unmultiplied', fromClaim: 1, factorClaim: 2, belowClaims: [3], instead: 'sum' })
  })

  it('says when a formula is the gradient at a node above, not a local derivative that happens to have its number', async () => {
    // At x = 2, w = 1: 2*(yhat - y) = 2 = x, but as a formula it is ∂loss/∂yhat: the chain stopped at yhat.
    const { stdout } = await runCli([
      'check',
      'yhat = x*w + b; loss = (yhat - y)^2',
      '--x',
      '2',
      '--w',
      '1',
      '--b',
      '0',
      '--y',
      '1',
      '--claim',
      'dloss/dw = 2*(yhat-y)',
    ])
    expect(stdout).toContain('2*(yhat-y) is ∂loss/∂yhat, the gradient at yhat, not ∂loss/∂w: the chain goes on from yhat down to w')
    expect(stdout).not.toContain('is the local derivative')
    // The formula x is the local derivative ∂(x·w)/∂w, at every point.
    const local = await runCli(['check', 'yhat = x*w + b; loss = (yhat - y)^2', '--x', '2', '--w', '1', '--b', '0', '--y', '1', '--claim', 'dloss/dw = x'])
    expect(local.stdout).toContain('2 is the local derivative ∂(x·w)/∂w = x, not ∂loss/∂w')
  })

  it('reads "undefined" as the quiz does: right where the derivative rests on a kink, wrong elsewhere', async () => {
    const args = ['check', 'relu(x)*2', '--x', '0', '--claim', 'dL/dx = undefined', '--claim', 'd(relu(x))/dx = undefined', '--claim', 'dL/dt1 = undefined']
    const { stdout, code } = await runCli(args)
    expect(stdout).toContain('✓ 1. dL/dx = undefined\n     ∂L/∂x does not exist here: right. relu is not differentiable at 0')
    expect(stdout).toContain('✓ 2. d(relu(x))/dx = undefined')
    // t1 = relu(x) feeds L = 2·t1: ∂L/∂t1 = 2, with no kink between them.
    expect(stdout).toContain('✗ 3. dL/dt1 = undefined\n     ∂L/∂t1 is 2 here: it exists, with no kink or tie on the way')
    expect(code).toBe(3)
    const json = JSON.parse((await runCli([...args, '--format', 'json'])).stdout)
    expect(json.claims.map((c: { claimed: string; right: boolean }) => [c.claimed, c.right])).toEqual([
      ['undefined', true],
      ['undefined', true],
      ['undefined', false],
    ])
    // Away from the kink it exists.
    expect((await runCli(['check', 'relu(x)*2', '--x', '1', '--claim', 'dL/dx = undefined'])).stdout).toContain('∂L/∂x is 2 here: it exists')
  })

  it('never explains a number by ∞ · 0 = NaN where the backward pass selects a branch', async () => {
    // L = sqrt(relu(x)) at x = -1: ∂L/∂t1 = Infinity, relu′ = 0 selects, so ∂L/∂x = 0; no flipped sign makes NaN.
    const { stdout } = await runCli(['check', 'sqrt(relu(x))', '--x', '-1', '--claim', 'dL/dx = NaN'])
    expect(stdout).toContain('∂L/∂x is 0, not NaN')
    expect(stdout).toContain('∂L/∂x = ∂L/∂t1 · ∂relu(x)/∂x = Infinity · 0 = 0')
    expect(stdout).not.toContain('Your number is exactly what')
  })

  it('suggests for an unknown name what the student likely meant: assigned names first, and lists the nodes by kind', async () => {
    const args = ['check', 'yhat = x*w + b; loss = (yhat-y)^2', '--x', '2', '--w', '0.5', '--b', '0', '--y', '3']
    const { stdout } = await runCli([...args, '--claim', 'd loss/d yht = -4'])
    expect(stdout).toContain(
      'cannot be read: yht is not a node of the program; did you mean yhat? (names the program assigns: yhat, loss; variables: x, w, b, y; other nodes: t1 = x·w, t2 = yhat - y)',
    )
  })

  it('names the fan-out contribution a sum leaves out, with or without the upstream claims', async () => {
    const { stdout } = await runCli(['check', 'x = a + 1; y = x*x + x', '--a', '2', '--claim', 'dy/dx = 6'])
    expect(stdout).toContain('Your number leaves out ∂y/∂y · ∂(t1 + x)/∂x: x feeds y, t1, so its gradient sums all 3 contributions (1 + 3 + 3).')
  })

  it('says it in words in the terminal', async () => {
    const result = await handwritten()
    expect(result.stdout).toContain('Claims: 2 of 8 right')
    expect(result.stdout).toContain(
      '✗ 5. d loss / d (yhat - y)^2 = 2*(yhat - y)^2\n     ∂loss/∂loss is 1, not 2*(yhat - y)^2 = 2\n     The seed: the backward pass starts at ∂loss/∂loss = 1',
    )
    expect(result.stdout).toContain(
      '✗ 6. d loss / d (yhat - y) = 2 * 2*(1)\n     ∂loss/∂t2 is 2, not 4\n     First departure: ∂loss/∂loss (claim 5), which should be 1. Your steps after it are right: your loss seed 2 times the local derivatives from loss down to t2 (2) = 2 · 2 = 4.',
    )
    expect(result.stdout).toContain('1 is the local derivative ∂(x·w)/∂x = w, not ∂loss/∂x: multiply it by the upstream ∂loss/∂t1 = 2')
  })

  it('exits 0 when every claim is right, with names, expressions and ∂ in any order of operands', async () => {
    const result = await runCli([
      'check',
      '(x*w+b-y)^2',
      '--x',
      '1',
      '--w',
      '1',
      '--b',
      '0',
      '--y',
      '2',
      '--claim',
      'dL/dw = -2',
      '--claim',
      '∂L/∂(w*x) = 2*(x*w+b-y)',
      '--claim',
      'd t1 / d x = w',
      '--claim',
      'dL/dL = 1',
    ])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Claims: 4 of 4 right')
  })

  it('points at the missing contribution of a fan-out node, and at the step itself', async () => {
    // L = x*x + 3*x at x = 2: dL/dx = 2 + 2 + 3 = 7; a student who follows one use of x gets 2 or 3.
    const result = await runCli(['check', 'x*x + 3*x', '--x', '2', '--claim', 'dL/dx = 5', '--format', 'json'])
    expect(result.code).toBe(3)
    const [claim] = JSON.parse(result.stdout).claims
    expect(claim).toMatchObject({ value: 7, claimed: 5, right: false, diagnosis: { kind: 'step', missingThrough: ['t1'] } })
    const step = await runCli([
      'check',
      'yhat = x*w; loss = (yhat - y)^2',
      '--x',
      '2',
      '--w',
      '1',
      '--y',
      '0',
      '--claim',
      'dloss/dyhat = 4',
      '--claim',
      'dloss/dw = 16',
    ])
    // dloss/dw = 2(xw - y)·x = 8; from the student's right dloss/dyhat = 4, 16 means dyhat/dw = 4, but it is x = 2.
    expect(step.stdout).toContain('∂loss/∂w is 8, not 16')
    expect(step.stdout).toContain('Your number means ∂(x·w)/∂w = 16 / 4 = 4, but ∂(x·w)/∂w = x = 2 (product rule).')
  })

  it('defines the marks x[1], x[2] its verdicts use for an input taken twice', async () => {
    const { stdout } = await runCli(['check', 'x*x*x', '--x', '2', '--claim', 'dL/dx = 8'])
    expect(stdout).toContain('Where    t1 = x·x; x[1], x[2] are the two uses of x in x·x\n')
    expect(stdout).toContain('∂(x[1]·x[2])/∂x[1]')
  })

  it('writes a local derivative that is a number once, never "= 1 = 1"', async () => {
    const step = await runCli(['check', 'z = w*x + b; L = z^2', '--w', '1', '--x', '2', '--b', '0', '--claim', 'dL/dz = 4', '--claim', 'dL/db = 8'])
    expect(step.stdout).toContain('but ∂(t1 + b)/∂b = 1 (sum rule).')
    expect(step.stdout).not.toContain('= 1 = 1')
    // A wrong local claimed outright: its rule once, no "(sum rule) = 1" after it.
    const local = await runCli(['check', '(x + y)*x', '--x', '1', '--y', '2', '--claim', 'dt1/dx = 2'])
    expect(local.stdout).toContain('     ∂(x + y)/∂x = 1 (sum rule).\n')
  })

  it('without claims above a wrong gradient, shows the true chain and the one slip that explains the number', async () => {
    // loss = (tanh(w·x + b) - y)²: writing tanh(t2) for its derivative 1 - tanh(t2)² gives 2(h - y)·h·x.
    const h = Math.tanh(0.5)
    const slipped = 2 * (h - 1) * h
    const args = ['check', 'h = tanh(w*x + b); loss = (h - y)^2', '--x', '1', '--w', '0.5', '--b', '0', '--y', '1']
    const result = await runCli([...args, '--claim', `dloss/dw = ${slipped}`, '--claim', `dloss/db = ${-2 * (h - 1) * (1 - h * h)}`, '--format', 'json'])
    const [value, sign] = JSON.parse(result.stdout).claims
    expect(value.value).toBeCloseTo(2 * (h - 1) * (1 - h * h), 12)
    expect(value.diagnosis).toEqual({
      kind: 'step',
      unclaimedAbove: ['loss', 't3', 'h', 't2', 't1'],
      slip: { kind: 'value-for-derivative', of: 'h', wrt: 't2' },
    })
    // A sign flipped anywhere on the path gives the same number: no single step is named.
    expect(sign.diagnosis).toEqual({ kind: 'step', unclaimedAbove: ['loss', 't3', 'h', 't2'], signFlipped: true })
    // The JSON carries what the terminal says, sentence for sentence.
    expect(sign.explanation).toContain(
      'Your number has the right size and the wrong sign: check the sign of each local derivative (a subtracted term has -1, and a negative upstream changes the sign of everything below it).',
    )
    const text = (await runCli([...args, '--claim', `dloss/dw = ${slipped}`, '--claim', `dloss/db = ${-2 * (h - 1) * (1 - h * h)}`])).stdout
    expect(text).toContain(
      `Your number is exactly what the value of h (${Number(h.toPrecision(6))}) written for its derivative ∂tanh(t2)/∂t2 gives: the first step to check is ∂tanh(t2)/∂t2 = 1 - tanh(t2)²`,
    )
    expect(text).toContain('Your number has the right size and the wrong sign')
  })

  it('names a reassigned node by its numbered label, with or without parentheses', async () => {
    // c#1 = 2x, c#2 = c#1 + 1, L = c#2²: at x = 1, dL/dc#2 = 2·3 = 6 and dL/dc#1 = 6.
    const result = await runCli([
      'check',
      'c = x*2; c = c + 1; L = c*c',
      '--x',
      '1',
      '--claim',
      'dL/dc = 6',
      '--claim',
      'dL/d(c#1) = 6',
      '--claim',
      'd c / d c#1 = 1',
      '--format',
      'json',
    ])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).claims.map((c: { wrt: string }) => c.wrt)).toEqual(['c#2', 'c#1', 'c#1'])
  })

  it('judges local derivatives with their rule', async () => {
    const result = await runCli(['check', 'sin(x)^2', '--x', '1', '--claim', 'd t1 / d x = -sin(x)'])
    expect(result.code).toBe(3)
    expect(result.stdout).toContain(`∂sin(x)/∂x is ${Number(Math.cos(1).toPrecision(6))}, not -sin(x) = ${Number((-Math.sin(1)).toPrecision(6))}`)
    expect(result.stdout).toContain('∂sin(x)/∂x = cos(x) (sin rule)')
  })

  it.each([
    ['dL/dq = 1', 'q is not a node of the program'],
    ['dL/dxx = 1', 'did you mean x?'],
    ['dL/d(x + 7) = 1', '"(x + 7)" is not computed by any node of the program'],
    ['dL/dx = abc', 'abc is not a name with a value here'],
    ['dL/dx', 'expected "= VALUE" after the derivative'],
    ['L/x = 2', 'expected the form d A / d B = VALUE'],
  ])('says the claim %j cannot be read, why, and judges the others', async (claim, message) => {
    const result = await runCli(['check', 'x*w', '--x', '1', '--w', '2', '--claim', claim, '--claim', 'dL/dw = 1'])
    expect(result.code).toBe(3)
    expect(result.stderr).toBe('')
    expect(result.stdout).toContain(`✗ 1. ${claim}\n     cannot be read: `)
    expect(result.stdout).toContain(message)
    expect(result.stdout).toContain('✓ 2. dL/dw = 1')
    const json = JSON.parse((await runCli(['check', 'x*w', '--x', '1', '--w', '2', '--claim', claim, '--format', 'json'])).stdout)
    expect(json.claims[0]).toMatchObject({ claim, kind: 'unreadable', right: false })
  })

  it('refuses more than 1,000 claims, even 200,000 of them, with one message', async () => {
    const files = { 'c.txt': 'dL/dx = 1\n'.repeat(200_000) }
    const result = await runCli(['check', 'x*w', '--x', '1', '--w', '2', '--claims', 'c.txt'], { files })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('backprop-tutor: error: 200000 claims: at most 1000 are checked in one run; split them into several files\n')
  })

  it('needs claims and every variable bound', async () => {
    expect((await runCli(['check', 'x*w', '--x', '1', '--w', '2'])).stderr).toContain('no claims given')
    const unbound = await runCli(['check', 'x*w', '--x', '1', '--claim', 'dL/dx = 1'])
    expect(unbound.code).toBe(1)
    expect(unbound.stderr).toContain('checking claims needs a value for every variable: w has none')
  })
})

describe('quiz', () => {
  const PROGRAM = ['(x*w - y)^2', '--x', '1.5', '--w', '2', '--y', '1']
  // Every answer, from the engine's JSON in the quiz's order: forward values, locals, seed, backward rows.
  const answers = () => {
    const t = json(PROGRAM[0]!, { x: 1.5, w: 2, y: 1 })
    const forward = t.nodes.filter((n) => n.kind === 'op').map((n) => String(n.value))
    const locals = t.edges.map((e) => String(e.localValue))
    const backward = t.backward.map((e) => String(t.edges[e]!.contribution))
    return [...forward, ...locals, '1', ...backward]
  }

  it('answers an indicator typed as the hint writes it ([x > y]) with how to give its value', async () => {
    const { stdout } = await runCli(['quiz', 'max(x, y)*2', '--x', '3', '--y', '2'], { answers: ['3', '6', '', '[x > y]', '1'] })
    expect(stdout).toContain('hint: max rule: ∂max(u, v)/∂u = [u > v]')
    expect(stdout).toContain('> [x > y]\n  an indicator such as [x > y] is 1 where it holds and 0 where it does not: type its value here, 1 or 0')
    expect(stdout).toMatch(/> 1\n {2}✓ right\n/)
  })

  it('does not give a fan-out sum away: no count in the question, no numbers in the hints', async () => {
    const answers = ['4', '8', '2', '2', '2', '4', '1', '2', '4', '4', '4', '', '', '']
    const { stdout } = await runCli(['quiz', 'x*x*x', '--x', '2'], { answers })
    const sum = stdout.slice(stdout.indexOf('(12/12)'))
    const beforeAnswer = sum.slice(0, sum.indexOf('answer:'))
    expect(beforeAnswer).toContain('∂L/∂x = its whole gradient, through everything x feeds = ?')
    expect(stdout).toContain('∂L/∂x (contribution 2) = ')
    expect(stdout).not.toMatch(/of 3|3 contributions/)
    expect(beforeAnswer).not.toMatch(/4 \+ 4|= 12/)
    expect(sum).toContain('answer: ∂L/∂x = 4 + 4 + 4 = 12')
  })

  it('scores right answers at the first try, numbers or expressions', async () => {
    const all = answers()
    expect(all).toHaveLength(3 + 5 + 1 + 5)
    all[3] = 'w' // ∂t1/∂x = w
    all[7] = '2*(t2)' // ∂L/∂t2 = 2·t2, by name
    const result = await runCli(['quiz', ...PROGRAM], { answers: all })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('14 questions')
    expect(result.stdout.match(/✓ right/g)).toHaveLength(14)
    expect(result.stdout).toContain('Score: 14 of 14 right at the first try.')
  })

  it('gives the rule, then the formula, then the answer', async () => {
    const result = await runCli(['quiz', ...PROGRAM], { answers: ['3', '7', '2*', '8', '9', 'q'] })
    const text = result.stdout
    expect(text).toContain('(1/14) t1 = x·w = ?\n> 3\n  ✓ right')
    // t2 = t1 - y = 2: two wrong answers, a line that cannot be read (not counted), a third wrong one.
    expect(text).toContain(
      '(2/14) t2 = t1 - y = ?\n> 7\n  ✗ not quite: difference of the values above: t1 = 3, y = 1\n> 2*\n  cannot read that answer: syntax error:',
    )
    expect(text).toContain('> 8\n  ✗ not quite: t2 = 3 - 1\n> 9\n  answer: t2 = 3 - 1 = 2\n')
    expect(text).toContain('Stopped at question 3 of 14.')
    expect(text).toContain('Score: 1 of 2 right at the first try, 1 shown (12 not answered).')
  })

  it('hints a local derivative with its rule and its formula', async () => {
    const result = await runCli(['quiz', 'x*w', '--x', '3', '--w', '4'], { answers: ['12', '1', '', '4'] })
    expect(result.stdout).toContain(
      "(2/6) ∂(x·w)/∂x = ?   (L = x·w)\n> 1\n  ✗ not quite: product rule: ∂(u·v)/∂u = v (each factor's derivative is the other factor).\n>\n".replace(
        '>\n',
        '> \n',
      ),
    )
    expect(result.stdout).toContain('  hint: ∂(x·w)/∂x = w, with x = 3, w = 4\n> 4\n  ✓ right')
    expect(result.stdout).toContain('Score: 1 of 2 right at the first try, 1 more after a hint (4 not answered).')
  })

  it('counts a question shown and left with q as not answered, with the ones never reached', async () => {
    // Questions 1 and 2 answered, question 3 shown and left: 7 - 2 = 5 not answered.
    const result = await runCli(['quiz', 'relu(x)*2', '--x', '0'], { answers: ['0', '0', 'q'] })
    expect(result.stdout).toContain('Stopped at question 3 of 7.\n\nScore: 2 of 2 right at the first try (5 not answered).')
  })

  it('counts a question answered but not finished as asked, never as not answered', async () => {
    const answers = ['1', '1', '-1', '1', '1', '1', '1', '1', '1', '-1', '2*t3', '1', '-2', '-2', '2*x']
    const result = await runCli(['quiz', '(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2'], { answers })
    expect(result.stdout).toContain('Stopped at question 15 of 19.')
    expect(result.stdout).toContain('Score: 14 of 15 right at the first try, 1 left unfinished (4 not answered).')
    const stopped = await runCli(['quiz', 'relu(x)*2', '--x', '0'], { answers: ['0', '0', 'undefined', '1', '', 'q'] })
    expect(stopped.stdout).toContain('Stopped at question 4 of 7.')
    expect(stopped.stdout).toContain('Score: 3 of 4 right at the first try, 1 left unfinished (3 not answered).')
  })

  it('takes "undefined" at a kink as right, with the convention the trace goes on with; elsewhere it asks for the value', async () => {
    const kink = await runCli(['quiz', 'relu(x)*2', '--x', '0'], { answers: ['0', '0', 'undefined', 'q'] })
    expect(kink.stdout).toContain(
      "> undefined\n  ✓ right: relu is not differentiable at 0: the gradient is taken as 0 (PyTorch's convention); the trace goes on with 0\n",
    )
    const smooth = await runCli(['quiz', 'x*2', '--x', '1'], { answers: ['2', 'undefined', '2', 'q'] })
    expect(smooth.stdout).toContain('> undefined\n  it is defined here: type a number or an expression\n> 2\n  ✓ right')
    expect(smooth.stdout).toContain('Score: 2 of 2 right at the first try (2 not answered).')
  })

  it('check at a tie or a kink: the ½ the tie takes in the equation, and a one-sided slope named as one', async () => {
    const tie = (await runCli(['check', 'max(x, y)', '--x', '1', '--y', '1', '--claim', 'dL/dx = 1'])).stdout
    expect(tie).toContain('but ∂max(x, y)/∂x = 1/2 = 0.5 (max rule).')
    expect(tie).not.toContain('[x > y] = 0.5')
    expect(tie).toContain('1 is the slope with x moved up from here; at the point itself max is not differentiable at a tie: the gradient is split evenly')
    const relu = (await runCli(['check', 'relu(x)', '--x', '0', '--claim', 'dL/dx = 1'])).stdout
    expect(relu).toContain('1 is the slope with x moved up from here; at the point itself relu is not differentiable at 0: the gradient is taken as 0')
    // A number that is no side's slope is not called one.
    const neither = (await runCli(['check', 'relu(x)', '--x', '0', '--claim', 'dL/dx = 2'])).stdout
    expect(neither).not.toContain('is the slope with')
  })

  it('at a kink, says that the convention decides, not the formula', async () => {
    const result = await runCli(['quiz', 'max(x, y)', '--x', '1', '--y', '1'], { answers: ['1', '1', '1', '1', 'q'] })
    // That a convention decides first (the rule's formula alone gives a one-sided slope, the 1 typed here), then which: its value is the answer.
    expect(result.stdout).toContain(
      "(2/6) ∂max(x, y)/∂x = ?   (L = max(x, y))\n> 1\n  ✗ not quite: ∂max(x, y)/∂x = [x > y] away from this point, but here the formula does not apply, and the backward pass takes a convention (PyTorch's)\n> 1\n  ✗ not quite: here max is not differentiable at a tie: the gradient is split evenly",
    )
    expect(result.stdout).toContain('  answer: ∂max(x, y)/∂x = 0.5: max is not differentiable at a tie')
  })

  it('ends with the score when the input ends', async () => {
    const result = await runCli(['quiz', 'x*w', '--x', '3', '--w', '4'], { answers: ['12'] })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Stopped at question 2 of 6.')
  })

  it('makes the same exercise from the same seed, and different ones across seeds and levels', async () => {
    const first = await runCli(['quiz', '--random', '--seed', '7', '--level', '2'], { answers: [] })
    const again = await runCli(['quiz', '--random', '--seed', '7', '--level', '2'], { answers: [] })
    expect(first.code).toBe(0)
    expect(again.stdout).toBe(first.stdout)
    expect(first.stdout).toMatch(/^Exercise 7 at level 2 \(the same again: --random --seed 7 --level 2\)\nProgram {2}\S/)
    const programs = new Set<string>()
    for (const level of ['1', '2', '3']) {
      for (let seed = 0; seed < 12; seed++) {
        const run = await runCli(['quiz', '--random', '--seed', String(seed), '--level', level], { answers: [] })
        expect(run.code).toBe(0)
        programs.add(run.stdout.split('\n').slice(1, 3).join('\n'))
      }
    }
    expect(programs.size).toBeGreaterThan(25)
    const unseeded = await runCli(['quiz', '--random'], { answers: [], seed: 42 })
    expect(unseeded.stdout).toContain('Exercise 42 at level 1')
  })

  it('makes tensor exercises: a layer, a batch with a bias, softmax cross-entropy, in shapes that differ by seed', async () => {
    const shapes = new Set<string>()
    for (const level of [1, 2, 3] as const) {
      for (let seed = 0; seed < 8; seed++) {
        const exercise = await randomTensorExercise(seed, level)
        expect(await randomTensorExercise(seed, level)).toEqual(exercise)
        const { trace } = await traceTensorProgram(exercise.program, exercise.values)
        const shapeOf = (name: string) => trace.nodes.find((n) => n.label === name)!.value!.shape
        // Sizes differ from each other, so no shape question can be answered with another dimension's size.
        const sizes = Object.keys(exercise.values).flatMap(shapeOf)
        expect(new Set(sizes).size).toBe(level === 2 ? 3 : 2)
        expect(sizes.every((d) => d >= 2 && d <= 4)).toBe(true)
        if (level === 1) expect(exercise.program).toMatch(/^z = W\*x \+ b; loss = sum\((tanh|sigmoid|relu)\(z\)\)$/)
        if (level === 2) {
          const [k, n] = shapeOf('X')
          const m = shapeOf('b')[0]
          expect([shapeOf('W'), shapeOf('Y')]).toEqual([
            [n, m],
            [k, m],
          ])
        }
        if (level === 3) {
          const y = trace.nodes.find((n) => n.label === 'y')!.value!.data
          expect([...y].sort()).toEqual([...Array(y.length - 1).fill(0), 1])
        }
        // No entry at a kink: the gradient check agrees for every variable.
        expect(trace.checks.map((c) => c.status)).toEqual(trace.checks.map(() => 'agree'))
        shapes.add(`${level}:${Object.keys(exercise.values).map((name) => shapeOf(name).join('x'))}:${exercise.program}`)
      }
    }
    expect(shapes.size).toBeGreaterThan(10)
    const first = await runCli(['quiz', '--random', '--tensor', '--seed', '5', '--level', '2'], { answers: ['q'] })
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^Exercise 5 at level 2 with tensors \(the same again: --random --tensor --seed 5 --level 2\)\nProgram {2}H = /)
    const exercise = await randomTensorExercise(5, 2)
    const [k, n] = exercise.values
      .X!.slice(1, -1)
      .split('; ')
      .map((row, _, rows) => [rows.length, row.split(', ').length])[0]!
    expect(first.stdout).toContain(`(1/28) the shape of t1 = X·W = ?`)
    // The values themselves beside their shapes: the quiz asks entries too.
    expect(first.stdout).toContain(`Values   X: ${k}×${n} (${exercise.values.X}), W: ${n}×`)
  })

  it.each([
    [['quiz', 'x*w', '--x', '1'], 1, 'the quiz needs a value for every variable: bind --w VALUE, or try --random'],
    [['quiz', 'log(x)', '--x', '-1'], 1, 'the quiz needs a finite number at every step, and L = log(x) is NaN here; try other values'],
    [['quiz', 'sqrt(x)', '--x', '0'], 1, 'and ∂sqrt(x)/∂x is Infinity here'],
    [['quiz', '-'], 2, 'quiz reads its answers from stdin'],
    [['quiz', '--random', '--level', '4'], 2, '--level 4: expected 1, 2 or 3'],
    [
      ['quiz', '--random', '--tensor', '--mode', 'forward'],
      2,
      "--mode forward asks a scalar program's tangents; a quiz on tensors asks the backward pass's shapes and rules",
    ],

    [['quiz', 'x', '--tensor'], 2, '--level and --tensor go with --random'],
    [['quiz', '--random', 'x*x'], 2, '--random makes its own program'],
  ])('refuses %j with one clear message', async (argv, code, message) => {
    const result = await runCli(argv, { answers: [] })
    expect(result.code).toBe(code)
    expect(result.stderr).toContain(message)
  })
})

describe('--ascii in every mode', () => {
  it('prints nothing but ASCII', async () => {
    const runs = [
      await runCli(['quiz', '--random', '--seed', '3', '--level', '3', '--ascii'], { answers: Array(60).fill('0') }),
      await runCli([
        'check',
        'yhat = x*w + b; loss = (yhat - y)^2',
        '--x',
        '1',
        '--w',
        '1',
        '--b',
        '0',
        '--y',
        '0',
        '--ascii',
        '--claim',
        'dloss/dx = 1',
        '--claim',
        'dloss/dloss = 2',
      ]),
      await runCli([...TANH_TRAINING, '--steps', '30', '--ascii']),
    ]
    for (const run of runs) {
      expect(run.stdout.length).toBeGreaterThan(500)
      expect(run.stdout).toMatch(/^[\x00-\x7f]*$/)
    }
  })
})

describe('--help shows each mode with an example', () => {
  it.each([
    [[], 'backprop-tutor quiz "(x*w+b-y)^2"'],
    [[], '--lr 0.1 --steps 5'],
    [['quiz'], 'backprop-tutor quiz --random --seed 7 --level 2'],
    [['check'], '--claim "dL/dw = -2"'],
  ])('%j --help', async (mode, example) => {
    const result = await runCli([...mode, '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(example)
  })
})
