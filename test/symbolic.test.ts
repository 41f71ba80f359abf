// Symbolic tensors (--shape): every gradient formula of the JSON, evaluated by mathjs at random
// matrices (a vector bound as an n×1 column, element-wise functions entry by entry), equals the
// numeric trace's gradient there; and the formulas read as a textbook writes them.
import { describe, expect, it } from 'vitest'
import { all, create, type MathJsInstance, type Matrix } from 'mathjs'
import { runCli } from './helpers.js'
import { traceTensorProgram } from '../src/tensor/pipeline.js'
import { mulberry32 } from '../src/random.js'
import fc from 'fast-check'
import katex from 'katex'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tensorProgram, tensorProgramArgs } from './random-programs.js'

type Shape = number[]
const CORPUS: { name: string; program: string; shapes: Record<string, Shape> }[] = [
  { name: 'a layer', program: 'z = W*x + b; loss = sum((z - y).^2)', shapes: { W: [3, 2], x: [2], b: [3], y: [3] } },
  { name: 'linear regression', program: 'yhat = X*w + b; loss = mean((yhat - y) .^ 2)', shapes: { X: [4, 3], w: [3], b: [], y: [4] } },
  {
    name: 'logistic regression',
    program: 'p = sigmoid(X*w + b); loss = -mean(y .* log(p) + (1 - y) .* log(1 - p))',
    shapes: { X: [4, 3], w: [3], b: [], y: [4] },
  },
  {
    name: 'the 2-layer perceptron',
    program: 'H = tanh(X*W1 + b1); o = H*w2 + b2; loss = mean((o - y) .^ 2)',
    shapes: { X: [4, 2], W1: [2, 3], b1: [3], w2: [3], b2: [], y: [4] },
  },
  { name: 'softmax cross-entropy', program: 'p = softmax(z); loss = -sum(y .* log(p))', shapes: { z: [3], y: [3] } },
  { name: 'softmax over rows', program: 'P = softmax(X*W, 2); loss = -sum(sum(Y .* log(P))) / 4', shapes: { X: [4, 3], W: [3, 2], Y: [4, 2] } },
  { name: 'attention', program: "S = Q*K'; A = softmax(S, 2); loss = sum(sum(A*V))", shapes: { Q: [2, 3], K: [2, 3], V: [2, 2] } },
  { name: 'relu of a transpose', program: "h = relu(W'*x); loss = sum(h .* h)", shapes: { W: [3, 2], x: [3] } },
  { name: 'logsumexp', program: 'loss = logsumexp(W*x)', shapes: { W: [3, 2], x: [2] } },
  { name: 'a column bias', program: 'Z = W*X + b; loss = sum(sum(Z .* Z))', shapes: { W: [2, 3], X: [3, 4], b: [2, 1] } },
  { name: 'a mean over the rows', program: 'm = mean(X, 1); loss = sum(m .^ 2) + sum(sum(exp(X)))', shapes: { X: [3, 2] } },
]

/** mathjs with the contract's meanings: element-wise functions entry by entry, softmax and logsumexp over an axis, ones(n) a column. */
function contractMath(): MathJsInstance {
  const math = create(all!)
  const ones = math.ones
  const each = (f: (v: number) => number) => (x: number | Matrix) => (typeof x === 'number' ? f(x) : math.map(x, (v: number) => f(v)))
  const lanes = (a: Matrix, dim: number | undefined, f: (xs: number[]) => number[]): Matrix => {
    const rows = a.toArray() as number[][]
    if (dim === undefined) {
      const flat = f(rows.flat())
      let k = 0
      return math.matrix(rows.map((r) => r.map(() => flat[k++]!)))
    }
    if (dim === 2) return math.matrix(rows.map((r) => f(r)))
    const cols = rows[0]!.map((_, j) => f(rows.map((r) => r[j]!)))
    return math.matrix(rows.map((r, i) => r.map((_, j) => cols[j]![i]!)))
  }
  const softmax = (xs: number[]) => {
    const top = Math.max(...xs)
    const e = xs.map((v) => Math.exp(v - top))
    const s = e.reduce((a, b) => a + b, 0)
    return e.map((v) => v / s)
  }
  const lse = (xs: number[]) => Math.max(...xs) + Math.log(xs.reduce((a, v) => a + Math.exp(v - Math.max(...xs)), 0))
  math.import(
    {
      tanh: each(Math.tanh),
      exp: each(Math.exp),
      log: each(Math.log),
      sqrt: each(Math.sqrt),
      sign: each(Math.sign),
      sigmoid: each((v) => 1 / (1 + Math.exp(-v))),
      relu: each((v) => Math.max(v, 0)),
      softmax: (a: Matrix, dim?: number) => lanes(a, dim, softmax),
      logsumexp: (a: Matrix, dim?: number) => {
        if (dim === undefined) return lse((a.toArray() as number[][]).flat())
        const rows = a.toArray() as number[][]
        return math.matrix(dim === 2 ? rows.map((r) => [lse(r)]) : [rows[0]!.map((_, j) => lse(rows.map((r) => r[j]!)))])
      },
      ones: (m: number, n?: number) => ones(m, n ?? 1),
    },
    { override: true },
  )
  return math
}

const math = contractMath()
const flat = (v: unknown): number[] => (typeof v === 'number' ? [v] : (((v as Matrix).toArray() as unknown[]).flat(2) as number[]))

/** Random values of the declared shapes: as the numeric trace's bindings, and as mathjs values (a vector as a column). */
function pointFor(shapes: Record<string, Shape>, seed: number) {
  const random = mulberry32(seed)
  const text: Record<string, string> = {}
  const scope: Record<string, unknown> = {}
  for (const [name, shape] of Object.entries(shapes)) {
    // In (0.1, 0.9): log(p), log(1 - p) and targets stay defined.
    const entries = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.round((0.1 + 0.8 * random()) * 1000) / 1000)
    if (shape.length === 0) {
      text[name] = String(entries[0])
      scope[name] = entries[0]
    } else if (shape.length === 1) {
      text[name] = `[${entries.join(', ')}]`
      scope[name] = math.matrix(entries.map((v) => [v]))
    } else {
      const rows = Array.from({ length: shape[0]! }, (_, i) => entries.slice(i * shape[1]!, (i + 1) * shape[1]!))
      // Nested rows, so that a 1×n matrix is not read as a vector.
      text[name] = `[${rows.map((r) => `[${r.join(', ')}]`).join(', ')}]`
      scope[name] = math.matrix(rows)
    }
  }
  return { text, scope }
}

async function symbolic(program: string, shapes: Record<string, Shape>) {
  const declared = Object.entries(shapes).map(([name, shape]) => ['--shape', `${name}=${shape.join('x')}`])
  const { code, stdout, stderr } = await runCli([program, ...declared.flat(), '--format', 'json'])
  expect(stderr).toBe('')
  expect(code).toBe(0)
  return JSON.parse(stdout) as { value: string; gradients: Record<string, string>; collected?: Record<string, string> }
}

/** Each gradient formula of the JSON, and its collected form where it has one, evaluated in `scope`: the numeric gradient, entry by entry. */
function expectGradients(
  out: { gradients: Record<string, string>; collected?: Record<string, string> },
  trace: { gradients: { name: string; grad: { data: Float64Array } }[] },
  scope: Record<string, unknown>,
  tolerance: number,
): void {
  for (const g of trace.gradients) {
    for (const formula of [out.gradients[g.name]!, ...(out.collected?.[g.name] ? [out.collected[g.name]!] : [])]) {
      const value = flat(math.evaluate(formula, { ...scope }))
      const truth = [...g.grad.data]
      expect(value.length, `${g.name}: ${formula}`).toBe(truth.length)
      value.forEach((v, k) => expect(Math.abs(v - truth[k]!), `${g.name}: ${formula}`).toBeLessThan(tolerance * (1 + Math.abs(truth[k]!))))
    }
  }
}

describe('symbolic tensors: --shape', () => {
  it.each(CORPUS)('$name: each gradient formula, evaluated at random matrices, is the numeric gradient there', async ({ program, shapes }) => {
    const out = await symbolic(program, shapes)
    expect(Object.keys(out.gradients).sort()).toEqual(Object.keys(shapes).sort())
    for (const seed of [1, 2, 3]) {
      const { text, scope } = pointFor(shapes, seed)
      const { trace } = await traceTensorProgram(program, text)
      expect(math.evaluate(out.value, { ...scope })).toBeCloseTo(trace.value, 9)
      expectGradients(out, trace, scope, 1e-9)
    }
  })

  it('says the logistic loss’s gradients multiplied out and collected, as a textbook writes them, beside the formulas', async () => {
    const args = ['p = sigmoid(X*w + b); loss = -mean(y .* log(p) + (1 - y) .* log(1 - p))', '--shape', 'X=4x3', '--shape', 'w=3', '--shape', 'y=4']
    const { stdout } = await runCli(args)
    expect(stdout).toContain(
      '  ∂loss/∂w = Xᵀ·(((1 - y) / (4·(1 - p)) - y / (4·p)) ⊙ p ⊙ (1 - p))   (3)\n           = Xᵀ·(p - y) / 4   (the same, simplified)\n',
    )
    const json = JSON.parse((await runCli([...args, '--format', 'json'])).stdout)
    expect(json.collected).toEqual({ X: "(sigmoid(X*w + b) - y)*w' ./ 4", w: "X'*(sigmoid(X*w + b) - y) ./ 4", b: 'sum(sigmoid(X*w + b) - y) ./ 4' })
    // A layer's gradient is short as built: nothing is said beside it.
    expect((await runCli(['z = W*x + b; loss = sum((z - y).^2)', '--shape', 'W=3x2', '--shape', 'x=2'])).stdout).not.toContain('simplified')
  })
})

describe('symbolic tensors: read back', () => {
  it.each(CORPUS)('$name: each gradient formula, claimed to check at random values, is judged right', async ({ program, shapes }) => {
    const out = await symbolic(program, shapes)
    const { text } = pointFor(shapes, 7)
    const claims = Object.entries(out.gradients).flatMap(([name, formula]) => [
      '--claim',
      `d${(out as unknown as { output: string }).output}/d${name} = ${formula}`,
    ])
    const result = await runCli(['check', program, ...Object.entries(text).flatMap(([name, value]) => [`--${name}`, value]), ...claims])
    expect(result.stdout).toContain(`Claims: ${claims.length / 2} of ${claims.length / 2} right`)
    expect(result.code).toBe(0)
  })
})

describe('symbolic tensors: what they say', () => {
  it('writes a layer as a textbook does, each rule with its shapes', async () => {
    const { stdout } = await runCli(['z = W*x + b; loss = sum((z - y).^2)', '--shape', 'W=3x2', '--shape', 'x=2', '--shape', 'b=3', '--shape', 'y=3'])
    expect(stdout).toContain('  ∂loss/∂W = 2·(W·x + b - y)·xᵀ   (3×2)\n')
    expect(stdout).toContain('  ∂loss/∂x = 2·Wᵀ·(W·x + b - y)   (2)\n')
    expect(stdout).toMatch(/│ t1 = W·x +│ W +│ ḡ·xᵀ +│ 3×1 · 1×2 → 3×2 │/)
    expect(stdout).toMatch(/│ t3 = t2 \.\^ 2 +│ t2 +│ 2·ḡ ⊙ t2 +│/)
    expect(stdout).toMatch(/│ loss = sum\(t3\) │ t3 +│ ḡ·𝟏₃ +│/)
    const json = JSON.parse(
      (await runCli(['z = W*x + b; loss = sum((z - y).^2)', '--shape', 'W=3x2', '--shape', 'x=2', '--shape', 'b=3', '--shape', 'y=3', '--format', 'json']))
        .stdout,
    )
    expect(json.gradients.W).toBe("2*(W*x + b - y)*x'")
    expect(json.value).toBe('sum((W*x + b - y).^2)')
  })

  it("names a layer's activations in the table, and writes the JSON in the variables alone", async () => {
    const args = [
      'H = tanh(X*W1 + b1); o = H*w2 + b2; loss = mean((o - y) .^ 2)',
      '--shape',
      'X=4x2',
      '--shape',
      'W1=2x3',
      '--shape',
      'b1=3',
      '--shape',
      'w2=3',
      '--shape',
      'y=4',
    ]
    expect((await runCli(args)).stdout).toContain('∂loss/∂W1 = Xᵀ·(((H·w2 + b2 - y)·w2ᵀ) ⊙ (1 - H.^2)) / 2')
    expect(JSON.parse((await runCli([...args, '--format', 'json'])).stdout).gradients.W1).not.toMatch(/\bH\b/)
  })

  it('writes a product past exact integers as the number it is (1e200·1e200 is Infinity), never loops', async () => {
    const { code, stdout } = await runCli(['sum(W*1e200*1e200)', '--shape', 'W=2x2', '--format', 'json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).gradients.W).toBe('Infinity*ones(2, 2)')
  })

  it('names softmax with cross-entropy where it appears, without assuming the target sums to 1', async () => {
    const vector = (await runCli(['p = softmax(z); loss = -sum(y .* log(p))', '--shape', 'z=3', '--shape', 'y=3'])).stdout
    expect(vector).toContain('  ∂loss/∂z = sum(y)·p - y   (3)')
    expect(vector).toMatch(/Softmax with cross-entropy: where y sums to 1\s+\(one-hot labels, or probabilities\), ∂loss\/∂z is p - y\./)
    const rows = (await runCli(['P = softmax(X*W, 2); loss = -sum(sum(Y .* log(P))) / 4', '--shape', 'X=4x3', '--shape', 'W=3x2', '--shape', 'Y=4x2'])).stdout
    expect(rows).toMatch(/where each row of Y sums to 1\s+\(one-hot labels, or probabilities\), ∂loss\/∂t1 is \(P - Y\) \/ 4\./)
  })

  it('reads a vector as a column: x*y and a column beside a vector refused, wᵀ·x a number that scales x', async () => {
    expect((await runCli(['loss = x*y', '--shape', 'x=3', '--shape', 'y=3'])).stderr).toContain(
      "x is a vector, a column in symbols, so x*y has no meaning; write x'*y for their dot product",
    )
    expect((await runCli(['z = W*x + c; loss = sum(z.^2)', '--shape', 'W=3x2', '--shape', 'x=2', '--shape', 'c=3x1'])).stderr).toContain(
      'c is 3×1 beside the vector t1 = W·x, which the numbers would read as a row; a vector is a column in symbols: declare c=3',
    )
    const { stdout } = await runCli(["yhat = w'*x + b; loss = (yhat - y)^2", '--shape', 'w=3', '--shape', 'x=3'])
    expect(stdout).toContain('  ∂loss/∂w = 2·(wᵀ·x + b - y)·x   (3)\n')
    expect(stdout).toMatch(/│ t1 +│ w' +│ 1×3 +│ wᵀ +│/)
    expect(stdout).toMatch(/│ t1 = w' +│ w +│ ḡᵀ +│/)
  })

  it('finds a shape error from the declared shapes, with the message the numbers give', async () => {
    const symbolic = await runCli(['loss = sum(W*x)', '--shape', 'W=3x2', '--shape', 'x=3'])
    const numeric = await runCli(['loss = sum(W*x)', '--W', 'zeros(3, 2)', '--x', 'zeros(3)'])
    expect(symbolic.code).toBe(1)
    expect(symbolic.stderr).toBe(numeric.stderr)
    expect(symbolic.stderr).toContain('the inner sizes must agree')
  })

  it.each([
    [['', '--shape', 'W=2x2'], 1, 'the program is empty: give an expression such as "(x*w+b-y)^2"'],
    [['sum(W)', '--shape', 'W=3000x3000'], 1, '--shape W=3000x3000: more than 4000000 entries'],

    [
      ['loss = max(W*x)', '--shape', 'W=3x2', '--shape', 'x=2'],
      1,
      'max(t1): max has no matrix formula in a symbolic program; give every variable a value (--NAME VALUE) to trace it with numbers',
    ],
    [
      ['loss = sum(W*x)', '--shape', 'W=3x2', '--shape', 'x=2', '--format', 'svg'],
      2,
      '--shape traces in symbols, written by --format table, json, markdown, latex or html; for --format svg, give each variable a value instead',
    ],
    [
      ['loss = sum(W*x)', '--shape', 'W=3x2', '--shape', 'x=2', '--format', 'latex', '--entry', 'W[1, 1]'],
      2,
      '--entry with --shape goes with --format table or json',
    ],
    [['loss = sum(W*x)', '--shape', 'W=3by2'], 1, '--shape W=3by2: expected NAME=ROWSxCOLUMNS (W=3x2), NAME=N for a vector (x=2), or NAME= for a scalar'],
    [['loss = sum(W*x)', '--shape', 'W=3x2', '--W', '[1, 2]'], 1, 'W is both bound and declared by --shape; give it a value or a shape'],
  ])('refuses %j with one message', async (argv, code, message) => {
    const { code: status, stderr } = await runCli(argv as string[])
    expect(status).toBe(code)
    expect(stderr).toContain(message)
  })
})

describe('symbolic tensors: the random tensor-program corpus, every variable declared', () => {
  // The programs of the numeric property test (test/random-programs.ts), with shapes instead of
  // values. Each gradient formula of the JSON, evaluated by mathjs with the `where` definitions
  // taken in turn, is the numeric gradient at random matrices; a program with an operation that
  // has no matrix formula (slices, max) is refused, naming it.
  it('gives formulas that evaluate to the numeric gradients, or refuses by name', async () => {
    let traced = 0
    await fc.assert(
      fc.asyncProperty(...tensorProgramArgs(1), async (m, n, p, steps, end, seed) => {
        // A declared 1x1 is a scalar (README), where randn(1, 1) is a matrix of one entry.
        fc.pre((m > 1 || n > 1) && (n > 1 || p > 1))
        const program = tensorProgram(steps, end)
        const shapes: Record<string, Shape> = Object.fromEntries(
          Object.entries({ X: [m, n], W: [n, p], b: [p] }).filter(([name]) => new RegExp(`\\b${name}\\b`).test(program)),
        )
        const declared = Object.entries(shapes).flatMap(([name, shape]) => ['--shape', `${name}=${shape.join('x')}`])
        const { code, stdout, stderr } = await runCli([program, ...declared, '--format', 'json'])
        if (/\[|\bmax\(/.test(program)) {
          expect(stderr).toMatch(/^backprop-tutor: error: .*: (slice|entry|max)\b.* has no matrix formula in a symbolic program; give every variable a value/)
          expect(code).toBe(1)
          return
        }
        expect(stderr).toBe('')
        expect(code).toBe(0)
        // The table of the same program: its formulas by name where the program names them.
        expect((await runCli([program, ...declared])).code).toBe(0)
        traced++
        const out = JSON.parse(stdout) as {
          value: string
          gradients: Record<string, string>
          where?: Record<string, string>
          collected?: Record<string, string>
        }
        const { text, scope } = pointFor(shapes, seed)
        for (const [name, formula] of Object.entries(out.where ?? {})) scope[name] = math.evaluate(formula, { ...scope })
        const { trace } = await traceTensorProgram(program, text)
        expect(flat(math.evaluate(out.value, { ...scope }))[0]).toBeCloseTo(trace.value, 9)
        expectGradients(out, trace, scope, 1e-8)
      }),
      { numRuns: 120, seed: 25 },
    )
    // Most of the corpus has a formula: the property is not carried by its refusals.
    expect(traced).toBeGreaterThan(40)
  })
})

describe('symbolic tensors: --entry, one entry of a gradient', () => {
  it.each(CORPUS)('$name: each variable’s last entry, written out, evaluates to the numeric gradient’s entry', async ({ program, shapes }) => {
    const { text, scope } = pointFor(shapes, 11)
    // The written entry names entries as the tool reads them (x[2], W[1, 2]): each vector as a 1-D array here.
    const entries: Record<string, unknown> = Object.fromEntries(
      Object.entries(scope).map(([name, value]) => [name, shapes[name]!.length === 1 ? math.matrix(flat(value)) : value]),
    )
    const { trace } = await traceTensorProgram(program, text)
    let written = 0
    for (const g of trace.gradients) {
      const shape = shapes[g.name]!
      const spec = shape.length === 0 ? g.name : `${g.name}[${shape.join(', ')}]`
      const declared = Object.entries(shapes).flatMap(([name, s]) => ['--shape', `${name}=${s.join('x')}`])
      const { code, stdout, stderr } = await runCli([program, ...declared, '--entry', spec, '--format', 'json'])
      expect(stderr).toBe('')
      expect(code).toBe(0)
      const entry = (JSON.parse(stdout) as { entry: { of: string; index: number[]; formula: string | { tooLong: true } } }).entry
      expect(entry.of).toBe(g.name)
      expect(entry.index).toEqual(shape)
      if (typeof entry.formula !== 'string') continue
      written++
      const truth = g.grad.data[g.grad.data.length - 1]!
      expect(Math.abs(flat(math.evaluate(entry.formula, { ...entries }))[0]! - truth), `${spec}: ${entry.formula}`).toBeLessThan(1e-9 * (1 + Math.abs(truth)))
    }
    expect(written).toBeGreaterThan(0)
  })

  it('writes the bridge: the matrix form, the index form with Σ over the inner index, then every sum written out', async () => {
    const { stdout, code } = await runCli([
      'z = W*x + b; loss = sum((z - y).^2)',
      ...['--shape', 'W=3x2', '--shape', 'x=2', '--shape', 'b=3', '--shape', 'y=3', '--entry', 'W[1, 2]'],
    ])
    expect(code).toBe(0)
    expect(stdout).toContain(
      [
        '5. One entry: ∂loss/∂W at [1, 2], from the matrix form to the index form',
        '  ∂loss/∂W = 2·(W·x + b - y)·xᵀ',
        '  ∂loss/∂W₁₂ = 2·(Σₖ W₁ₖ·xₖ + b₁ - y₁)·x₂',
        '             = 2·(W₁₁·x₁ + W₁₂·x₂ + b₁ - y₁)·x₂',
      ].join('\n'),
    )
    const ascii = await runCli(['z = W*x + b; loss = sum((z - y).^2)', '--shape', 'W=3x2', '--shape', 'x=2', '--entry', 'x[2]', '--ascii'])
    expect(ascii.stdout).toContain('  dloss/dx[2] = 2*(sum_k W[k, 2]*(sum_l W[k, l]*x[l] + b - y))')
    expect(ascii.stdout).not.toMatch(/[^\x00-\x7f]/)
  })

  it('refuses an entry that is not there, or a node that does not reach the output, with one message', async () => {
    const args = ['z = W*x; u = sum(x); loss = sum(z)', '--shape', 'W=3x2', '--shape', 'x=2']
    expect((await runCli([...args, '--entry', 'W[4, 1]'])).stderr).toBe('backprop-tutor: error: --entry W[4, 1]: index 4 is outside 1 to 3\n')
    expect((await runCli([...args, '--entry', 'v[1]'])).stderr).toBe('backprop-tutor: error: --entry v[1]: the program has no node v (its variables: W, x)\n')
    expect((await runCli([...args, '--entry', 'u'])).stderr).toBe('backprop-tutor: error: --entry u: u does not reach the output, so it has no gradient\n')
  })
})

describe('symbolic tensors: check and quiz with --shape', () => {
  const declared = (shapes: Record<string, Shape>) => Object.entries(shapes).flatMap(([name, shape]) => ['--shape', `${name}=${shape.join('x')}`])

  it.each(CORPUS)('$name: the JSON’s own formulas, claimed with the shapes alone, are judged right', async ({ program, shapes }) => {
    const out = await symbolic(program, shapes)
    const output = (out as unknown as { output: string }).output
    const claims = Object.entries(out.gradients).flatMap(([name, formula]) => ['--claim', `d${output}/d${name} = ${formula}`])
    const result = await runCli(['check', program, ...declared(shapes), ...claims])
    expect(result.stdout).toContain(`Claims: ${claims.length / 2} of ${claims.length / 2} right`)
    expect(result.stdout).toMatch(/^Shapes {3}.* declared by --shape: random values of those shapes \(rand, --seed 0\)/m)
    expect(result.code).toBe(0)
  })

  it('judges a wrong formula wrong, whatever the seed', async () => {
    const program = 'z = W*x + b; loss = sum((z - y).^2)'
    const shapes = { W: [3, 2], x: [2], b: [3], y: [3] }
    for (const seed of ['0', '7']) {
      const result = await runCli([
        'check',
        program,
        ...declared(shapes),
        '--seed',
        seed,
        '--claim',
        "dloss/dW = 2*(W*x - y)*x'",
        '--claim',
        'dloss/db = 2*(W*x + b - y)',
      ])
      expect(result.stdout).toContain('Claims: 1 of 2 right')
      expect(result.stdout).toContain(`(rand, --seed ${seed})`)
      expect(result.code).toBe(3)
    }
  })

  it('reads an n×1 column claimed for a vector as that vector, as the formulas write one', async () => {
    const program = 'z = W*x + b; loss = sum((z - y).^2)'
    const shapes = { W: [3, 2], x: [2], b: [3], y: [3] }
    const claims = ['--claim', "dloss/dx = 2*((W*x + b - y)'*W)'", '--claim', "dloss/dx = 2*((W*x - y)'*W)'"]
    const result = await runCli(['check', program, ...declared(shapes), ...claims])
    expect(result.stdout).toContain('Claims: 1 of 2 right')
    expect(result.stdout).toMatch(/✓ 1\. .*\n {5}∂loss\/∂x = \[.*\]: right/)
    // With values, a 2×1 matrix is not the vector x: the numbers broadcast the two differently.
    const bound = await runCli(['check', program, '--W', 'rand(3, 2)', '--x', 'rand(2)', '--b', 'rand(3)', '--y', 'rand(3)', claims[0]!, claims[1]!])
    expect(bound.stdout).toContain('Claims: 0 of 1 right')
  })

  it('quizzes a program of declared shapes at random values, judging the answers', async () => {
    const { stdout, code } = await runCli(
      ['quiz', 'z = W*x + b; loss = sum((z - y).^2)', '--shape', 'W=3x2', '--shape', 'x=2', '--shape', 'b=3', '--shape', 'y=3'],
      {
        answers: ['3', 'q'],
      },
    )
    expect(stdout).toContain('Values   W: 3×2 (rand(3, 2) = [')
    expect(stdout).toContain('Shapes   W, x, b, y declared by --shape')
    expect(stdout).toMatch(/\(1\/\d+\) the shape of t1 = W·x = \?\n> 3\n {2}✓/)
    expect(code).toBe(0)
  })

  it('refuses a name both bound and declared, and --shape beside --random', async () => {
    const both = await runCli(['check', 'loss = sum(W*x)', '--shape', 'W=3x2', '--W', 'randn(3, 2)', '--x', '[1, 2]', '--claim', 'dloss/dx = 1'])
    expect(both.stderr).toBe('backprop-tutor: error: W is both bound and declared by --shape; give it a value or a shape\n')
    const forgot = await runCli(['check', 'z = W*x + b; loss = sum(z)', '--shape', 'W=3x2', '--shape', 'x=2', '--claim', "dloss/dx = W'*ones(3)"])
    expect(forgot.stderr).toBe(
      'backprop-tutor: error: b has neither a value nor a shape: with --shape, declare each tensor (--shape b=…) or bind it (--b VALUE)\n',
    )
    const random = await runCli(['quiz', '--random', '--tensor', '--shape', 'W=3x2'])
    expect(random.stderr).toBe('backprop-tutor: error: --random chooses its own values: give no --shape with it\nRun backprop-tutor quiz --help for usage.\n')
    expect(random.stdout).toBe('')
    expect(random.code).toBe(2)
  })
})

describe('symbolic tensors: markdown and latex notes', () => {
  const declared = (shapes: Record<string, Shape>) => Object.entries(shapes).flatMap(([name, shape]) => ['--shape', `${name}=${shape.join('x')}`])
  const katexRender = (tex: string, displayMode: boolean) => katex.renderToString(tex, { throwOnError: true, displayMode, strict: 'error' })
  const inlineMath = (text: string) => [...text.matchAll(/(?<!\$)\$(?!\$)([^$\n]+?)\$(?!\$)/g)].map((m) => m[1]!)

  it.each(CORPUS)('$name: Markdown whose three tables parse and whose every formula renders in KaTeX', async ({ program, shapes }) => {
    const { code, stdout } = await runCli([program, ...declared(shapes), '--format', 'markdown'])
    expect(code).toBe(0)
    const blocks = [...stdout.matchAll(/```math\n([\s\S]*?)\n```/g)].map((m) => m[1]!)
    // One equation per gradient, each with its shape.
    expect(blocks).toHaveLength(Object.keys(shapes).length)
    for (const block of blocks) {
      expect(block).toMatch(/ \\in \\mathbb\{R\}/)
      katexRender(block, true)
    }
    const spans = inlineMath(stdout.replace(/```[\s\S]*?```/g, ''))
    expect(spans.length).toBeGreaterThan(10)
    for (const span of spans) katexRender(span, false)
    expect(micromark(stdout, { extensions: [gfm()], htmlExtensions: [gfmHtml()] }).match(/<table>/g)).toHaveLength(3)
  })

  it.each(CORPUS)('$name: LaTeX that KaTeX renders and pdflatex sets within the margins, every gradient in the text', async ({ program, shapes }) => {
    const { code, stdout } = await runCli([program, ...declared(shapes), '--format', 'latex', '--standalone'])
    expect(code).toBe(0)
    const blocks = [...stdout.matchAll(/\\begin\{align\*\}[\s\S]*?\\end\{align\*\}/g)].map((m) => m[0])
    expect(blocks).toHaveLength(4)
    for (const block of blocks) katexRender(block, true)
    const work = mkdtempSync(join(tmpdir(), 'bpt-symbolic-'))
    writeFileSync(join(work, 'note.tex'), stdout)
    const tex = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'note.tex'], { cwd: work, encoding: 'utf8' })
    expect(tex.status, tex.stdout.slice(-2000)).toBe(0)
    expect(readFileSync(join(work, 'note.log'), 'utf8').match(/Overfull \\hbox.*/g)).toBeNull()
    const text = spawnSync('pdftotext', ['-layout', join(work, 'note.pdf'), '-'], { encoding: 'utf8' }).stdout
    expect(text).toContain('Gradients, as formulas')
    // Each gradient's equation was set: as many ∈ after the last heading as there are variables.
    expect(text.slice(text.lastIndexOf('Gradients, as formulas')).match(/∈/g)).toHaveLength(Object.keys(shapes).length)
  })

  it('writes a layer as a textbook does: juxtaposed products, ᵀ as \\top, shapes as \\in \\mathbb{R}', async () => {
    const { stdout } = await runCli([
      'z = W*x + b; loss = sum((z - y).^2)',
      '--shape',
      'W=3x2',
      '--shape',
      'x=2',
      '--shape',
      'b=3',
      '--shape',
      'y=3',
      '--format',
      'latex',
    ])
    expect(stdout).toContain('\\frac{\\partial \\mathrm{loss}}{\\partial W} &= 2\\,\\left(W\\,x + b - y\\right)\\,{x}^{\\top} \\in \\mathbb{R}^{3\\times 2}')
    expect(stdout).toContain('{W}^{\\top}\\,\\bar{g}')
    const mean = await runCli([
      'yhat = X*w + b; loss = mean((yhat - y) .^ 2)',
      '--shape',
      'X=4x3',
      '--shape',
      'w=3',
      '--shape',
      'b=',
      '--shape',
      'y=4',
      '--format',
      'markdown',
    ])
    expect(mean.stdout).toContain('\\frac{\\partial \\mathrm{loss}}{\\partial w} = \\frac{{X}^{\\top}\\,\\left(X\\,w + b - y\\right)}{2} \\in \\mathbb{R}^{3}')
  })
})

describe('symbolic tensors: what a student found', () => {
  it('names a row’s entries by both indexes, and brackets a Σ that a bias joins', async () => {
    const row = await runCli(['loss = r*W*x', '--shape', 'r=1x2', '--shape', 'W=2x3', '--shape', 'x=3', '--entry', 'x[2]'])
    expect(row.stdout).toContain('  ∂loss/∂x₂ = Σₖ Wₖ₂·r₁ₖ\n            = W₁₂·r₁₁ + W₂₂·r₁₂\n')
    const bias = await runCli(['Z = X*W + r; loss = sum(sum(Z.^2))', '--shape', 'X=4x3', '--shape', 'W=3x2', '--shape', 'r=1x2', '--entry', 'r[1, 2]'])
    expect(bias.stdout).toContain('  ∂loss/∂r₁₂ = 2·(Σₖ (Σₗ Xₖₗ·Wₗ₂ + r₁₂))\n')
  })

  it('writes formulas check reads back: a dot product’s 1×1 factor, an indicator', async () => {
    const dot = await symbolic('loss = dot(a, b)^2', { a: [3], b: [3] })
    expect(dot.gradients.a).toBe("2*(a'*b) .* b")
    const claim = await runCli(['check', 'loss = dot(a, b)^2', '--shape', 'a=3', '--shape', 'b=3', '--claim', `dloss/da = ${dot.gradients.a}`])
    expect(claim.stdout).toContain('Claims: 1 of 1 right')
    const program = 'h = relu(W*x + b); loss = sum(h .^ 2)'
    const args = [program, '--shape', 'W=3x2', '--shape', 'x=2', '--shape', 'b=3']
    const entry = JSON.parse((await runCli([...args, '--entry', 'W[1, 2]', '--format', 'json'])).stdout).entry
    expect(entry.formula).toContain('(W[1, 1]*x[1] + W[1, 2]*x[2] + b[1] > 0)')
  })

  it('explains only the notation a trace uses, and points --latex to --format latex', async () => {
    const layer = await runCli(['z = W*x + b; loss = sum((z - y).^2)', '--shape', 'W=3x2', '--shape', 'x=2', '--shape', 'b=3', '--shape', 'y=3'])
    expect(layer.stdout).not.toContain('A vector added to a matrix')
    const batch = await runCli(['Z = X*W + b; loss = sum(sum(Z.^2))', '--shape', 'X=4x3', '--shape', 'W=3x2', '--shape', 'b=2'])
    expect(batch.stdout).toContain('A vector added to a matrix is added to each row: it is written as a row, bᵀ.')
    const latex = await runCli(['loss = sum(W*x)', '--shape', 'W=3x2', '--shape', 'x=2', '--latex', '--standalone'])
    expect(latex.stderr).toContain('unknown option --latex; did you mean --format latex?')
    expect(latex.code).toBe(2)
  })
})
