// Hostile names and values: a user's names are looked up as own properties or in Maps everywhere,
// so names that every JavaScript object has (__proto__, constructor, toString, …) are ordinary
// variables in every format and mode.
import { describe, expect, it } from 'vitest'
import { json, runCli } from './helpers.js'
import { LIMITS } from '../src/limits.js'

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype)
const FORMATS = ['table', 'json', 'markdown', 'latex', 'dot', 'mermaid']

describe.each(PROTOTYPE_NAMES)('a variable named %s', (name) => {
  const program = `y = 3*${name} + 1`

  it.each(FORMATS)('is bound and traced in --format %s', async (format) => {
    for (const binding of [
      [`--${name}`, '2'],
      ['--set', `${name}=2`],
    ]) {
      const result = await runCli([program, ...binding, '--format', format])
      expect(result).toMatchObject({ code: 0, stderr: '' })
      expect(result.stdout).not.toMatch(/native code|\[object |function |undefined|NaN/)
      if (format === 'json') {
        const json = JSON.parse(result.stdout)
        expect(json.value).toBe(7)
        expect(json.gradients).toEqual({ [name]: 3 })
        expect(Object.hasOwn(json.bindings, name) && json.bindings[name]).toBe(2)
        expect(json.unbound).toEqual([])
      }
    }
  })

  it.each(FORMATS)('is a tensor variable too, in --format %s, and in check and quiz', async (format) => {
    const tensor = `y = sum(${name} .* ${name})`
    for (const binding of [
      [`--${name}`, '[1, 2]'],
      ['--set', `${name}=[1, 2]`],
    ]) {
      const result = await runCli([tensor, ...binding, '--format', format])
      expect(result).toMatchObject({ code: 0, stderr: '' })
      expect(result.stdout).not.toMatch(/native code|\[object |function |undefined|NaN/)
      if (format === 'json') expect(JSON.parse(result.stdout)).toMatchObject({ value: 5, gradients: { [name]: [2, 4] } })
    }
    const check = await runCli(['check', tensor, '--set', `${name}=[1, 2]`, '--claim', `dy/d${name} = [2, 4]`])
    expect(check).toMatchObject({ code: 0, stderr: '' })
    const quiz = await runCli(['quiz', tensor, '--set', `${name}=[1, 2]`], { answers: ['2', 'scalar', 'q'] })
    expect(quiz.stdout).toContain('✓ right')
  })

  it('is stepped through in --format html, its page data whole', async () => {
    const result = await runCli([program, `--${name}`, '2', '--format', 'html', '--quiz'])
    expect(result).toMatchObject({ code: 0, stderr: '' })
    const data = JSON.parse(/<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(result.stdout)![1]!)
    expect(data.steps[0].text).toBe(`${name} = 2`)
    expect(data.steps.some((step: { text: string }) => step.text === `t1 = 3·${name} = 6`)).toBe(true)
    expect(Object.hasOwn(data.names, name) && data.names[name]).toBe(2)
  })

  it('is asked about in the quiz, judged in check, and trained', async () => {
    const quiz = await runCli(['quiz', program, `--${name}`, '2'], { answers: ['6', '7', '3', '1', '1', '1', '3'] })
    expect(quiz).toMatchObject({ code: 0, stderr: '' })
    expect(quiz.stdout).toContain('Score: 7 of 7 right at the first try.')
    const check = await runCli(['check', program, `--${name}`, '2', '--claim', `dy/d${name} = 3`, '--claim', `d(3*${name})/d${name} = 3`])
    expect(check).toMatchObject({ code: 0, stderr: '' })
    const train = JSON.parse((await runCli([program, `--${name}`, '2', '--lr', '0.1', '--format', 'json'])).stdout)
    expect(train.training.steps[0].params).toEqual({ [name]: 2 })
    expect(train.training.steps[0].next[name]).toBeCloseTo(2 - 0.1 * 3, 12)
  })
})

describe('a value is one expression', () => {
  it.each([['1;2'], ['5; y=2*3'], ['1\n2']])('refuses --x %j', async (value) => {
    const result = await runCli(['x*w', '--x', value, '--w', '1'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/statements; a value is one expression/)
  })

  it('refuses a quiz answer of several statements, and asks again', async () => {
    const result = await runCli(['quiz', 'x*w', '--x', '3', '--w', '4'], { answers: ['x;1', '12', 'q'] })
    expect(result.stdout).toContain('cannot read that answer: "x;1" is 2 statements; a value is one expression')
    expect(result.stdout).toContain('> 12\n  ✓ right')
  })
})

describe('--format svg at its size limit', () => {
  const sum = (terms: number) => Array.from({ length: terms }, (_, k) => `x${k}`).join(' + ')

  it('refuses a graph too large to draw, before Graphviz is loaded', async () => {
    const result = await runCli([sum(2100), '--format', 'svg'])
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toBe(
      `backprop-tutor: error: the program is too large for a picture with --format svg (4199 nodes; the limit is ${LIMITS.maxDrawnNodes}); --format dot writes the graph for a Graphviz of your own\n`,
    )
  })

  it('draws one just under the limit', async () => {
    const terms = Math.floor((LIMITS.maxDrawnNodes + 1) / 2)
    const result = await runCli([sum(terms), '--format', 'svg'])
    expect(result.code).toBe(0)
    expect(result.stdout.match(/<g id="node\d+" class="node">/g)).toHaveLength(2 * terms - 1)
  })
})

describe('relu, max and min select their branch, as PyTorch does', () => {
  it.each([
    ['sqrt(relu(x))', -1],
    ['sqrt(max(x, 0))', -1],
    ['sqrt(-min(x, 0))', 1],
  ])('%s at %s: the unselected input gets 0, not ∞·0', (program, x) => {
    const result = json(program, { x })
    expect(result.gradients).toEqual({ x: 0 })
    const select = result.flags.find((f) => (f as { code?: string }).code === 'select')
    expect(select?.message).toMatch(/is 0, not Infinity × 0: (relu|max|min) selects its branch and passes nothing to this input/)
  })

  it('abs multiplies by sign(x), as PyTorch does, so ∞·0 stays NaN at 0', () => {
    expect(json('sqrt(abs(x))', { x: 0 }).gradients).toEqual({ x: 'NaN' })
  })
})

describe('one convention everywhere: what the backward pass selects, the chains and check take too', () => {
  it('sqrt(relu(x)) at -1: the chain is 0 as the backward pass is, and the check agrees, with no kink to blame', async () => {
    const result = json('sqrt(relu(x))', { x: -1 })
    expect(result.gradients).toEqual({ x: 0 })
    expect(result.chains).toEqual([{ variable: 'x', count: 1, paths: [{ edges: [1, 0], product: 0 }] }])
    expect(result.checks[0]).toMatchObject({ variable: 'x', status: 'agree' })
    const text = await runCli(['sqrt(relu(x))', '--x', '-1'])
    expect(text.stdout).toContain('        = Infinity · 0\n        = 0 (relu selects its branch, as in the backward pass)\n')
    expect(text.stdout).not.toContain('one-sided slopes')
    const claims = await runCli(['check', 'sqrt(relu(x))', '--x', '-1', '--claim', 'dL/dx = 0'])
    expect(claims.code).toBe(0)
  })

  it("check's partials select as the backward pass does, wherever the relu's input stands among the nodes", async () => {
    // y is node 0 and relu's input is t1 = y - x: the selection must read t1's own value.
    const result = await runCli(['check', 'a = relu(y - x); L = sqrt(a)', '--y', '0', '--x', '1', '--claim', 'dL/dx = 0', '--claim', 'dL/dy = 0'])
    expect(result.code).toBe(0)
    expect(json('a = relu(y - x); L = sqrt(a)', { y: 0, x: 1 }).gradients).toEqual({ y: 0, x: 0 })
  })

  it('names an infinite slope as such, and never says "its" of several variables', async () => {
    const sqrt = await runCli(['sqrt(relu(x))', '--x', '0'])
    expect(sqrt.stdout).toContain('x: the gradient passes sqrt at L, whose slope is infinite there, so a finite\n      difference cannot measure it')
    const relu = await runCli(['relu(x + y)', '--x', '0', '--y', '0'])
    expect(relu.stdout).toContain('x, y: the gradients pass a non-differentiable point (relu at L), where the\n      two one-sided slopes differ')
    expect(relu.stdout).not.toMatch(/\bits gradient\b/)
  })

  it('keeps Infinity and -Infinity apart when it groups the check’s reasons', async () => {
    const result = await runCli(['x/y', '--x', '1', '--y', '0'])
    expect(result.stdout).toContain('  x: the gradient is Infinity\n  y: the gradient is -Infinity\n')
    // A number the program writes is not listed among the inputs ("1 = 1").
    expect((await runCli(['1/(x-y)', '--x', '1', '--y', '1'])).stdout).toContain('from finite inputs t1 = 0\n')
    // One reason for two variables is said in the plural.
    const both = await runCli(['sqrt(x) + sqrt(y)', '--x', '0', '--y', '0'])
    expect(both.stdout).toContain('  x, y: the gradients are Infinity\n')
  })

  it('names the step --explain measured with as the README defines it', async () => {
    const result = await runCli(['x*y', '--x', '1', '--y', '1', '--explain'])
    // h = ∛ε·max(1, |x|) = 6.06e-6; the estimate shown is the finer one, at h/2.
    expect(result.stdout).toContain("Measured at the check's finer step h/2 = 0.00000303:")
    expect(result.stdout).toContain('so (difference)/h = 1.')
  })
})

describe('NaN as PyTorch takes it: relu, max and min of a NaN pass the gradient, pow masks instead of multiplying', () => {
  const conventions = (result: ReturnType<typeof json>) => result.flags.filter((f) => (f as { code?: string }).code === 'convention').map((f) => f.message)

  it.each([
    // torch.maximum / torch.minimum block an input only where it compares smaller / larger: with NaN, nowhere.
    ['max(x, sqrt(y))', { x: 1, y: -1 }, { x: 1, y: 'NaN' }, 'max compares with NaN: the gradient passes to this input, as in PyTorch'],
    ['max(sqrt(y), x)', { x: 1, y: -1 }, { y: 'NaN', x: 1 }, 'max compares with NaN'],
    ['min(x, sqrt(y))', { x: 1, y: -1 }, { x: 1, y: 'NaN' }, 'whose min blocks an input only where it is the larger'],
    // threshold_backward blocks where the input is ≤ 0; NaN ≤ 0 is false: 1 · d log(x)/dx = 1/x = -1.
    ['relu(log(x))', { x: -1 }, { x: -1 }, "relu's input is NaN: the gradient passes, as in PyTorch"],
  ])('%s at %j gives %j', (program, values, gradients, sentence) => {
    const result = json(program, values)
    expect(result.gradients).toEqual(gradients)
    const said = conventions(result)
    expect(said.length).toBeGreaterThan(0)
    for (const message of said) expect(message).toContain(sentence)
    // A NaN is no kink: its flag is a NaN flag.
    for (const flag of result.flags.filter((f) => f.message.includes('NaN: the gradient passes') || f.message.includes('compares with NaN')))
      expect(flag.kind).toBe('nan')
  })

  it('masks pow’s gradient as a where(), not a product: asin(pow(y, x)) at x = 0, y = 0.5', () => {
    // asin′(1) = ∞ reaches y^x; PyTorch's d(y^x)/dy is where(x == 0, 0, …), so y gets 0, not ∞·0.
    const result = json('asin(pow(y, x))', { x: 0, y: 0.5 })
    expect(result.gradients).toEqual({ y: 0, x: '-Infinity' })
    const select = result.flags.find((f) => (f as { code?: string }).code === 'select')
    expect(select?.message).toBe(
      'the contribution through ∂(y^x)/∂y is 0, not Infinity × 0: PyTorch masks the gradient of a^0 with respect to a to 0 instead of multiplying, and the tutor does too',
    )
    // PyTorch's mask for d(0^b)/db is multiplied by the upstream: ∞·0 = NaN, as torch gives.
    expect(json('sqrt(0^x)', { x: 1 }).gradients).toEqual({ x: 'NaN' })
    // Where no mask applies, ∞·0 is NaN, as in PyTorch: d(x^2)/dx = 0 at 0 is a product.
    expect(json('sqrt(x^2)', { x: 0 }).gradients).toEqual({ x: 'NaN' })
  })

  it('keeps the tie split and the plain cases as they were', () => {
    expect(json('max(x, y)', { x: 2, y: 2 }).gradients).toEqual({ x: 0.5, y: 0.5 })
    expect(json('max(x, y)', { x: 1, y: 2 }).gradients).toEqual({ x: 0, y: 1 })
    expect(json('min(x, y)', { x: 1, y: 2 }).gradients).toEqual({ x: 1, y: 0 })
    expect(json('relu(x)', { x: 0 }).gradients).toEqual({ x: 0 })
    expect(json('relu(x)', { x: -2 }).gradients).toEqual({ x: 0 })
  })
})

describe('what a new user types by accident', () => {
  it('says that xw is one name when x and w are given', async () => {
    const result = await runCli(['(xw+b-y)^2', '--x', '1', '--w', '1'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('backprop-tutor: warning: xw is one name, not x times w: for the product of x and w, write x*w\n')
    expect(result.stderr).not.toContain('did you mean --xw')
    const longer = await runCli(['w1x1 + b', '--w1', '1', '--x1', '2'])
    expect(longer.stderr).toContain('w1x1 is one name, not w1 times x1: for the product of w1 and x1, write w1*x1')
    const bound = await runCli(['xw', '--x', '1', '--xw', '2'])
    expect(bound.stderr).not.toContain('is one name')
  })

  it('points a program that starts with -- at the place it goes', async () => {
    const result = await runCli(['--x+1', '--x', '1'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('unknown option --x+1; a program that starts with - goes last, after --, as in: backprop-tutor --NAME VALUE … -- "--x+1"')
    const written = await runCli(['--x', '1', '--format', 'json', '--', '--x+1'])
    expect(JSON.parse(written.stdout).value).toBe(2)
  })

  it('says there is nothing to train in a program without variables', async () => {
    const result = await runCli(['2*3', '--lr', '0.1'])
    expect(result).toMatchObject({ code: 1, stderr: 'backprop-tutor: error: there is nothing to train: the program has no variables\n' })
  })

  it('bounds a training run by steps × nodes, and says how many steps fit', async () => {
    const program = Array.from({ length: 600 }, (_, k) => `a${k + 1} = tanh(a${k}) * w`).join('\n')
    const result = await runCli([program, '--a0', '1', '--w', '0.5', '--lr', '0.01', '--steps', '10000'])
    expect(result.code).toBe(1)
    const nodes = 2 + 2 * 600
    expect(result.stderr).toContain(
      `--steps 10000 on a program of ${nodes} nodes is ${10000 * nodes} node evaluations, past the limit of ${LIMITS.maxTrainingWork}`,
    )
    expect(result.stderr).toContain(`this program can take at most ${Math.floor(LIMITS.maxTrainingWork / nodes)} steps`)
  })
})

describe('notes at their size limit', () => {
  it.each(['markdown', 'latex'])('--format %s refuses a program past the limit of a note, and says what writes it', async (format) => {
    const terms = Math.ceil(LIMITS.maxNoteNodes / 2) + 1
    const result = await runCli([Array.from({ length: terms }, (_, k) => `x${k}`).join(' + '), '--format', format])
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toBe(
      `backprop-tutor: error: the program is too large for --format ${format} (${2 * terms - 1} nodes; the limit is ${LIMITS.maxNoteNodes}); --format json or the tables write a program of any size\n`,
    )
  })
})

describe('what editors save', () => {
  it.each([
    ['Windows line endings', 'y = x*x\r\nL = y*x\r\n'],
    ['old Mac line endings', 'y = x*x\rL = y*x\r'],
    ['a byte-order mark', '\uFEFFy = x*x\nL = y*x\n'],
    ['both', '\uFEFFy = x*x\r\nL = y*x'],
  ])('reads a program with %s as the same program', async (_what, text) => {
    const fromStdin = JSON.parse((await runCli(['-', '--x', '2', '--format', 'json'], { stdin: text })).stdout)
    const fromFile = JSON.parse((await runCli(['--file', 'p.txt', '--x', '2', '--format', 'json'], { files: { 'p.txt': text } })).stdout)
    for (const result of [fromStdin, fromFile]) {
      expect(result.value).toBe(8)
      expect(result.gradients).toEqual({ x: 12 })
      expect(result.program).toBe('y = x*x\nL = y*x' + (text.endsWith('\n') || text.endsWith('\r') ? '\n' : ''))
    }
  })
})

describe('mistyped options', () => {
  it.each([
    [['x*w', '--x', '1', '--w', '2', '--precison', '3'], 'unknown option --precison; did you mean --precision?'],
    [['x*w', '--x', '1', '--w', '2', '--frmat', 'json'], 'unknown option --frmat; did you mean --format?'],
    [['x*w', '--x', '1', '--w', '2', '--asci'], 'unknown option --asci; did you mean --ascii?'],
    [['check', 'x*w', '--x', '1', '--w', '2', '--claim', 'dL/dx = 2', '--fromat', 'json'], 'unknown option --fromat; did you mean --format?'],
    [['quiz', 'x*w', '--x', '1', '--w', '2', '--tolerence', '0.1'], 'unknown option --tolerence; did you mean --tolerance?'],
  ])('%j is an error that names the option', async (argv, message) => {
    const result = await runCli(argv)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(message)
  })

  it('still binds a variable of that name, given as --NAME when the program has it, or with --set', async () => {
    const named = JSON.parse((await runCli(['precison*w', '--precison', '3', '--w', '2', '--format', 'json'])).stdout)
    expect(named.gradients).toEqual({ precison: 2, w: 3 })
    const set = await runCli(['x*w', '--x', '1', '--w', '2', '--set', 'precison=3', '--format', 'json'])
    expect(set.code).toBe(0)
    expect(set.stderr).toContain('--precison is not a variable of the program, so it is ignored')
  })

  it('takes a short name for a variable, never for an option', async () => {
    const result = await runCli(['x*w', '--x', '1', '--w', '2', '--lt', '3', '--format', 'json'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('--lt is not a variable of the program')
  })
})

describe('modes at their size limits', () => {
  it(`quiz refuses a program of more than ${LIMITS.maxQuizNodes} nodes, and says what shows every step`, async () => {
    const terms = LIMITS.maxQuizNodes / 2 + 1
    const result = await runCli(['quiz', Array.from({ length: terms }, (_, k) => `x${k}`).join(' + ')], { answers: ['q'] })
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toBe(
      `backprop-tutor: error: the program is too large for a quiz (${2 * terms - 1} nodes; the limit is ${LIMITS.maxQuizNodes}); the tables show every step of a program of any size\n`,
    )
  })

  it('check writes a long fan-out sum as the backward table does: its first terms and how many', async () => {
    const program = Array.from({ length: 10 }, (_, k) => `x*w${k}`).join(' + ')
    const values = Array.from({ length: 10 }, (_, k) => [`--w${k}`, String(k + 1)]).flat()
    const result = await runCli(['check', program, '--x', '2', ...values, '--claim', 'dL/dx = 3'])
    expect(result.code).toBe(3)
    // ∂L/∂x = w0 + … + w9 = 55, from ten contributions: six written, the count of all.
    expect(result.stdout).toContain('∂L/∂x is 55, not 3')
    expect(result.stdout).toMatch(/then ∂L\/∂x = (∂L\/∂t\d+ · ∂\(x·w\d\)\/∂x \+ ){6}… \(10 terms\) = (1 · \d+ \+ ){6}… \(10 terms\) = 55\./)
  })
})
