// The faces of a tensor trace as their consumers read them: the JSON contract, Markdown through a
import { readFileSync } from 'node:fs'
// GFM parser and KaTeX, LaTeX through KaTeX, DOT through Graphviz; and the command line around them.
import { describe, expect, it } from 'vitest'
import katex from 'katex'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'
import { instance } from '@viz-js/viz'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { runCli } from './helpers.js'
import { isTensorProgram, traceTensorProgram } from '../src/tensor/pipeline.js'
import { wrtView } from '../src/tensor/wrt.js'
import { checkGradients } from '../src/tensor/trace.js'
import { pathValue, tensorChains } from '../src/tensor/chains.js'
import { tensor } from '../src/tensor/tensor.js'

const LAYER = ['z = W*x + b; L = sum(tanh(z))', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, -1]', '--b', '[0.5, 0, -0.5]']
const BATCH = [
  'H = relu(X*W1 + b1); loss = mean(logsumexp(H, 2) - sum(Y .* H, 2))',
  '--X',
  'randn(5, 3)',
  '--W1',
  'randn(3, 4)',
  '--b1',
  '[0.1, 0.2, 0.3, 0.4]',
  '--Y',
  '[1, 0, 0, 0; 0, 1, 0, 0; 0, 0, 1, 0; 0, 0, 0, 1; 1, 0, 0, 0]',
  '--seed',
  '3',
]

const katexRender = (tex: string, displayMode: boolean) => katex.renderToString(tex, { throwOnError: true, displayMode, strict: 'ignore' })

describe('tensor JSON', () => {
  it('keeps the contract: value a number, each gradient shaped like its variable as nested row-major arrays', async () => {
    const { code, stdout } = await runCli([...LAYER, '--format', 'json'])
    expect(code).toBe(0)
    const json = JSON.parse(stdout)
    expect(Object.keys(json).slice(0, 2)).toEqual(['value', 'gradients'])
    const t = [-0.5, -1, -1.5].map(Math.tanh)
    expect(json.value).toBeCloseTo(t[0]! + t[1]! + t[2]!, 14)
    const d = t.map((v) => 1 - v * v)
    expect(json.gradients.b).toEqual(d.map((v) => expect.closeTo(v, 14)))
    expect(json.gradients.W).toEqual(d.map((v) => [expect.closeTo(v, 14), expect.closeTo(-v, 14)]))
    expect(json.gradients.x).toEqual([expect.closeTo(d[0]! + 3 * d[1]! + 5 * d[2]!, 13), expect.closeTo(2 * d[0]! + 4 * d[1]! + 6 * d[2]!, 13)])
    expect(json.nodes.find((n: { id: string }) => n.id === 't1')).toMatchObject({ op: 'matmul', shape: [3], expression: 'W*x' })
    expect(json.edges.find((e: { from: string }) => e.from === 'W')).toMatchObject({ to: 't1', formula: 'g*x^T', shapes: '3x1 * 1x2 -> 3x2' })
    expect(json.checks.map((c: { status: string }) => c.status)).toEqual(['agree', 'agree', 'agree'])
  })

  it('writes a scalar variable as a number and NaN as a string', async () => {
    const { stdout } = await runCli(['sum(log(x)) * s', '--x', '[-1, 1]', '--s', '2', '--format', 'json'])
    const json = JSON.parse(stdout)
    expect(json.value).toBe('NaN')
    expect(json.gradients.x).toEqual([-2, 2])
    expect(json.gradients.s).toBe('NaN')
  })
})

describe('tensor notes', () => {
  it('markdown: GFM tables, and each gradient a math block KaTeX renders', async () => {
    const { code, stdout } = await runCli([...BATCH, '--format', 'markdown', '--entry', 'W1[2, 3]'])
    expect(code).toBe(0)
    const html = micromark(stdout, { extensions: [gfm()], htmlExtensions: [gfmHtml()] })
    expect(html.match(/<table>/g)).toHaveLength(4)
    const blocks = [...html.matchAll(/<pre><code class="language-math">([\s\S]*?)<\/code><\/pre>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'))
    expect(blocks).toHaveLength(4)
    for (const block of blocks) katexRender(block, true)
    expect(blocks[1]).toMatch(/^\\frac\{\\partial \\mathrm\{loss\}\}\{\\partial W_\{1\}\} = \\begin\{bmatrix\}/)
  })

  it('latex: every align* block renders in KaTeX, with no Unicode left in the maths', async () => {
    for (const args of [LAYER, BATCH]) {
      const { stdout } = await runCli([...args, '--format', 'latex', '--standalone'])
      const blocks = [...stdout.matchAll(/\\begin\{align\*\}([\s\S]*?)\\end\{align\*\}/g)].map((m) => m[1]!)
      // Program, forward, rules, backward, gradients, and one block per variable whose chains are listed.
      const listed = stdout.slice(stdout.indexOf('Chains'), stdout.indexOf('Gradients, each')).match(/\\begin\{align\*\}/g)?.length ?? 0
      expect(blocks).toHaveLength(5 + listed)
      for (const block of blocks) katexRender(`\\begin{aligned}${block}\\end{aligned}`, true)
      // pdflatex without packages reads ASCII only.
      expect(stdout.match(/[^\x00-\x7f]/g)).toBeNull()
    }
  })
})

describe('tensor graphs', () => {
  it('dot: Graphviz lays it out, each node with its shape', async () => {
    const { stdout } = await runCli([...LAYER, '--format', 'dot'])
    const svg = (await instance()).renderString(stdout, { format: 'svg' })
    expect(svg).toContain('<svg')
    expect(stdout).toContain('n2 [label="t1 = W·x|shape 3"')
    expect(stdout).toContain('n0 -> n2 [label="ḡ·xᵀ"]')
  })

  it('svg: drawn with no system Graphviz, a node per tensor operation with its shape, an edge per input', async () => {
    const { stdout, code } = await runCli([...LAYER, '--format', 'svg'])
    expect(code).toBe(0)
    expect(XMLValidator.validate(stdout)).toBe(true)
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'g' || name === 'text' }).parse(stdout)
    const groups: { '@_class'?: string; title: string; text?: { '#text': string }[] }[] = doc.svg.g[0].g
    // Graphviz writes the nodes in its own order; each keeps its DOT id (n0, n1, … in trace order) as its title.
    const nodes = groups.filter((g) => g['@_class'] === 'node').sort((a, b) => Number(a.title.slice(1)) - Number(b.title.slice(1)))
    const texts = nodes.map((g) => g.text!.map((t) => t['#text']))
    expect(texts.map((cells) => cells.find((t) => t.startsWith('shape ')))).toEqual([
      'shape 3×2',
      'shape 2',
      'shape 3',
      'shape 3',
      'shape 3',
      'shape 3',
      'shape scalar',
    ])
    expect(texts[2]![0]).toBe('t1 = W·x')
    expect(groups.filter((g) => g['@_class'] === 'edge')).toHaveLength(6)
  })

  it('mermaid: a flowchart with a node per tensor operation and an edge per input', async () => {
    const { stdout } = await runCli([...LAYER, '--format', 'mermaid'])
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^flowchart (LR|TD)$/)
    expect(lines.filter((l) => /^ {2}n\d+\["/.test(l))).toHaveLength(7)
    expect(lines.filter((l) => /^ {2}n\d+ -->\|/.test(l))).toHaveLength(6)
  })
})

describe('tensor programs at the command line', () => {
  it('tells scalar programs and tensor programs apart by their text and values, comments aside', async () => {
    const scalar = await runCli(["x*w # it's a product", '--x', '2', '--w', '3', '--format', 'json'])
    expect(JSON.parse(scalar.stdout).kind).toBeUndefined()
    const tensor = await runCli(['sum(x)', '--x', '[1, 2]', '--format', 'json'])
    expect(JSON.parse(tensor.stdout).kind).toBe('tensor')
  })

  it.each([
    ['x*w + b', {}, false],
    ["x*w # it's a product: a quote in a comment", {}, false],
    ['2.5*x + .5', {}, false],
    ['sum_x = x*2', {}, false],
    ['sum(x)', { x: '[1, 2]' }, true],
    ['sum (x)', {}, true],
    ["W'*x", {}, true],
    ['2.*x', {}, true],
    ['x.^2', {}, true],
    ['A[1, 2]', {}, true],
    ['y = 0\nfor i = 1:3\n  y = y + x\nend', {}, true],
    ['x*w', { x: 'randn(3)' }, true],
    ['x*w', { x: '@x.csv' }, true],
    ['x*w', { x: '2*3' }, false],
    ['x*w', { x: 'sqrt(2)' }, false],
  ])('the parser reads %j with the values %j as a tensor program: %s', (source, values, tensor) => {
    expect(isTensorProgram(source, values as Record<string, string>)).toBe(tensor)
  })

  it('marks a value or contribution its flag explains, as the scalar tables do', async () => {
    const kink = await runCli(['L = sum(relu(x)*2)', '--x', '[0, 1]'])
    expect(kink.stdout).toContain('│ ∂L/∂x    │ ∂L/∂t1 ⊙ [x > 0]            │ 2      │ [0, 2] ⚠     │')
    expect(kink.stdout).toContain('│ ∂L/∂t1   │ ∂L/∂t2 · 2                  │ 2      │ [2, 2]       │')
    const nan = await runCli(['loss = sum(log(v) .* w)', '--v', '[-1, 1]', '--w', '[2, 3]', '--ascii'])
    expect(nan.stdout).toContain('| t1   | log      | log(v)     | 2      | [NaN, 0] (!) |')
    expect(nan.stdout).toContain('| t2   | mul      | t1 .* w    | 2      | [NaN, 0]     |')
    expect(nan.stdout).toContain('\n  (!) t1 = log(v) is NaN at entry [1], from finite inputs')
  })

  it('refuses, with exit codes, what does not fit', async () => {
    const shapes = await runCli(['sum(W*x)', '--W', 'ones(3, 2)', '--x', '[1, 2, 3]'])
    expect([shapes.code, shapes.stderr]).toEqual([
      1,
      "backprop-tutor: error: W·x: W is 3×2 and x has 3 entries; the inner sizes must agree (did you mean W'*x?)\n",
    ])
    const file = await runCli(['sum(X)', '--X', '@missing.csv'])
    expect([file.code, file.stderr]).toEqual([1, 'backprop-tutor: error: cannot read missing.csv: no such file\n'])
    for (const [args, message] of [
      [['x*x', '--x', '2', '--entry', 'x'], '--entry goes with tensor programs'],
      [['x*x', '--x', '2', '--seed', '1'], '--seed goes with rand(…) and randn(…)'],
      [['sum(x)', '--x', '[1, 2]', '--entry', 'x[1]', '--format', 'latex'], '--entry goes with --format table, json or markdown'],
    ] as const) {
      const result = await runCli([...args])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(message)
    }
  })

  it('reads values from files, and the same seed draws the same numbers', async () => {
    const files = { 'x.csv': 'a,b\n1,2\n3,4\n' }
    const first = await runCli(['sum(X*W)', '--X', '@x.csv', '--W', 'randn(2, 2)', '--seed', '5', '--format', 'json'], { files })
    const again = await runCli(['sum(X*W)', '--W', 'randn(2, 2)', '--X', '@x.csv', '--seed', '5', '--format', 'json'], { files })
    expect(JSON.parse(first.stdout).gradients).toEqual(JSON.parse(again.stdout).gradients)
    expect(JSON.parse(first.stdout).gradients.W).toEqual([
      [4, 4],
      [6, 6],
    ])
  })

  it('trains, and says where the inputs are trained too', async () => {
    const { code, stdout } = await runCli([
      'sum((X*w - y) .^ 2)',
      '--X',
      '[1, 0; 0, 2]',
      '--w',
      '[0, 0]',
      '--y',
      '[1, 2]',
      '--lr',
      '0.1',
      '--steps',
      '2',
      '--data',
      'X,y',
    ])
    expect(code).toBe(0)
    expect(stdout).toContain('6. Training: gradient descent on w with learning rate η = 0.1')
    expect(stdout).toMatch(/│ 1 +│ 5 +│ 8\.246 +│/)
    expect(stdout).toContain('after step 2: L = 0.416')
  })
})

describe('check on a tensor program', () => {
  const P = ['z = W*x + b; L = sum(tanh(z))', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, -1]', '--b', '[0.5, 0, -0.5]']
  it('judges whole gradients and single entries, and names the likely slip', async () => {
    const d = [-0.5, -1, -1.5].map((z) => 1 - Math.tanh(z) ** 2)
    const transposed = `[${d.join(', ')}; ${d.map((v) => -v).join(', ')}]`
    const claims = ['dL/dW[1,2] = -0.7864', `dL/dW = ${transposed}`, 'dL/dz = [1, 1, 1]', 'dL/dt1 = [1, 1, 1]', 'dL/dq = 1']
    const { code, stdout } = await runCli(['check', ...P, ...claims.flatMap((c) => ['--claim', c]), '--format', 'json'])
    expect(code).toBe(3)
    const json = JSON.parse(stdout)
    expect(json.claims.map((c: { right: boolean; diagnosis?: { kind: string } }) => [c.right, c.diagnosis?.kind])).toEqual([
      [true, undefined],
      [false, 'shape'],
      [false, 'entries'],
      [false, 'follows'],
      [false, undefined],
    ])
    expect(json.claims[1].diagnosis.transposed).toBe(true)
    expect(json.claims[2].diagnosis.wrong).toEqual([[1], [2], [3]])
    expect(json.claims[4].kind).toBe('unreadable')
  })

  it('names a sign slip, for one entry and for a whole gradient, and a square gradient transposed', async () => {
    // ∂L/∂W = ḡ·xᵀ with x = [1, -1]: column 2 is minus column 1; W[1, 2] is -0.7864.
    const sign = await runCli(['check', ...P, '--claim', 'dL/dW[1,2] = 0.7864', '--claim', 'dL/dz = -(1 - tanh(z).^2)'])
    expect(sign.stdout).toContain('∂L/∂W[1, 2] is -0.7864: yours has its magnitude but the opposite sign')
    expect(sign.stdout).toContain('each entry of yours has its magnitude but the opposite sign')
    // Z = W·X, loss = sum(Z .* C): ∂loss/∂W = C·Xᵀ = [1, 4; 0, 1]; X·Cᵀ is its transpose, shaped the same.
    const square = ['check', 'Z = W*X; loss = sum(Z .* C)', '--W', '[1, 2; 3, 4]', '--X', '[1, 0; 2, 1]', '--C', '[1, 2; 0, 1]']
    const transposed = await runCli([...square, '--claim', "dloss/dW = X*C'", '--format', 'json'])
    expect(JSON.parse(transposed.stdout).claims[0].diagnosis).toEqual({ kind: 'transposed' })
    const text = await runCli([...square, '--claim', "dloss/dW = X*C'", '--claim', "dloss/dW = C*X'"])
    expect(text.stdout).toContain('your ∂loss/∂W is the transpose of the right one (both are 2×2)')
    expect(text.stdout).toContain("✓ 2. dloss/dW = C*X'")
  })

  it("names a convolution's input gradient taken with the kernel not flipped, and takes the flipped one", async () => {
    // conv2d(X, K) with ḡ = C: ∂L/∂X = C padded by 1 ⋆ rot180(K); with K itself the numbers differ (K is not symmetric).
    const conv = ['check', 'y = conv2d(X, K); L = sum(y .* C)', '--X', '[1, 2, 3; 4, 5, 6; 7, 8, 10]', '--K', '[1, 2; 3, 4]', '--C', '[1, 0; 2, 1]']
    const { stdout } = await runCli([...conv, '--claim', 'dL/dX = conv2d(C, K, 1, 1)', '--claim', 'dL/dX = conv2d(C, rot180(K), 1, 1)', '--format', 'json'])
    const json = JSON.parse(stdout)
    expect(json.claims.map((c: { right: boolean }) => c.right)).toEqual([false, true])
    expect(json.claims[0].diagnosis).toEqual({ kind: 'unflipped', via: 'y' })
    expect(json.claims[0].explanation[0]).toMatch(/^your ∂L\/∂X is the rule with the kernel not flipped: .* correlated with rot180\(K\), not K: /)
    // With k = [1, -1], flip(k) is -k: the unflipped rule is minus the right one too, and both are said.
    const antisymmetric = await runCli([
      'check',
      'y = conv1d(x, k); L = sum(y .* y)',
      '--x',
      '[1, 2, 3, 4]',
      '--k',
      '[1, -1]',
      '--claim',
      'dL/dx = conv1d(2*y, k, 1, 1)',
      '--format',
      'json',
    ])
    expect(JSON.parse(antisymmetric.stdout).claims[0].diagnosis).toEqual({ kind: 'unflipped', via: 'y', alsoSign: true })
  })

  it('reads the Infinity and NaN it prints in a claim, and judges them as themselves', async () => {
    // ∂/∂v sum(sqrt(v)) at [0, 1] is [Infinity, 0.5]: an infinite entry agrees only with Infinity, and sets no scale for the rest.
    const claims = ['dL/dv = [Infinity, 0.5]', 'dL/dv[1] = inf', 'dL/dv[1] = -∞', 'dL/dv = [NaN, 0.5]', 'dL/dv = [Infinity, 7]']
    const { stdout } = await runCli(['check', 'sum(sqrt(v))', '--v', '[0, 1]', ...claims.flatMap((c) => ['--claim', c]), '--format', 'json'])
    const json = JSON.parse(stdout)
    expect(json.claims.map((c: { right: boolean }) => c.right)).toEqual([true, true, false, false, false])
    expect(json.claims[2].diagnosis).toEqual({ kind: 'sign' })
    expect(json.claims[4].diagnosis.wrong).toEqual([[2]])
  })

  it('reads another gradient inside a claim, and judges factors in the wrong order as wrong, with the rule', async () => {
    const claims = ["dL/dW = dL/dz * x'", "dL/dW = x' * dL/dz", "dL/dx = W' * ∂L/∂z", "dL/dW = dL/dq * x'"]
    const { stdout } = await runCli(['check', ...P, ...claims.flatMap((c) => ['--claim', c]), '--format', 'json'])
    const json = JSON.parse(stdout)
    expect(json.claims.map((c: { right: boolean; kind?: string }) => [c.right, c.kind])).toEqual([
      [true, undefined],
      [false, 'unfit'],
      [true, undefined],
      [false, 'unreadable'],
    ])
    expect(json.claims[1].explanation[0]).toBe(
      "your ∂L/∂W does not fit together: (x')·∂L/∂z: (x') is 1×2 and ∂L/∂z has 3 entries; the inner sizes must agree (right with its factors in the other order: dL/dz * x'); the backward pass computes it as ∂L/∂t1·xᵀ (3×1 · 1×2 → 3×2)",
    )
    expect(json.claims[3].explanation[0]).toBe('cannot be read: dL/dq: q is not a node of the program')
  })

  it("says a bias's gradient sums the batch, and when one contribution of several is claimed", async () => {
    const bias = await runCli(['check', 'L = sum(X*W + b)', '--X', 'ones(4, 2)', '--W', 'ones(2, 3)', '--b', '[1, 2, 3]', '--claim', 'dL/db = ones(4, 3)'])
    expect(bias.stdout).toContain('summed, yours is right: [4, 4, 4]')
    const fan = await runCli([
      'check',
      'h = W*x; L = sum(h .* h) + dot(h, x)',
      '--W',
      '[1, 2; 3, 4]',
      '--x',
      '[1, -1]',
      '--claim',
      "dL/dx = W'*[-1, -3]",
      '--claim',
      'dL/dx = [-11, -15]',
    ])
    expect(fan.code).toBe(3)
    expect(fan.stdout).toContain('yours is the contribution through h alone; x feeds 2 operations')
    expect(fan.stdout).toContain('✓ 2. dL/dx = [-11, -15]')
    // A t-name a verdict uses is defined under the program.
    const named = await runCli(['check', 'z = W*x + x; L = sum(z)', '--W', '[1, 2; 3, 4]', '--x', '[1, -1]', '--claim', 'dL/dx = [4, 6]'])
    // The values bound are under the program, as for scalars, then the t-names.
    expect(named.stdout).toContain('  L = sum(z)\nValues   W: 2×2 ([1, 2; 3, 4]), x: 2 ([1, -1])\nWhere    t1 = W·x\n')
    expect(named.stdout).toContain('through t1')
  })
})

describe('check on a tensor program: a transpose left out', () => {
  it('names the one transpose that makes the student’s expression right, added or taken away', async () => {
    // loss = sum(Z.^2)/2, so ∂loss/∂Z = Z; ∂loss/∂W = Z·Xᵀ = [5, 12; 11, 26] and ∂loss/∂X = Wᵀ·Z = [38, 14; 54, 20].
    const program = ['check', 'Z = W*X; loss = sum(Z.^2)/2', '--W', '[1, 2; 3, 4]', '--X', '[1, 0; 2, 1]']
    const claims = ['dloss/dW = Z*X', 'dloss/dW = dloss/dZ*X', 'dloss/dX = W*Z', "dloss/dX = W'*Z'"]
    const { stdout } = await runCli([...program, ...claims.flatMap((c) => ['--claim', c])])
    expect(stdout).toContain("your ∂loss/∂W is right with X transposed: Z*X' (a matrix product's rule for one factor has the other factor transposed)")
    expect(stdout).toContain("your ∂loss/∂W is right with X transposed: dloss/dZ*X'")
    expect(stdout).toContain("your ∂loss/∂X is right with W transposed: W'*Z (a matrix product's rule")
    expect(stdout).toContain("your ∂loss/∂X is right with the transpose of Z taken away: W'*Z;")
    const json = JSON.parse((await runCli([...program, '--claim', claims[0]!, '--format', 'json'])).stdout)
    expect(json.claims[0].diagnosis).toEqual({ kind: 'untransposed', name: 'X', added: true, fixed: "Z*X'" })
    // The rule's own factor for the gradient: Xᵀ for ∂loss/∂W, 2·Z for ∂loss/∂Z under a mean.
    const bare = await runCli([...program, '--claim', "dloss/dW = X'"])
    expect(bare.stdout).toContain("yours is the rule's own factor without the upstream: the gradient arriving at Z = W·X is ∂loss/∂Z")
    const mean = await runCli(['check', 'Z = W*X; loss = mean(Z.^2)', '--W', '[1, 2; 3, 4]', '--X', '[1, 0; 2, 1]', '--claim', 'dloss/dZ = 2*Z'])
    expect(mean.stdout).toContain("yours is the rule's own factor without the upstream: the gradient arriving at t1 = Z .^ 2 is ∂loss/∂t1")
    // Every entry the same multiple of the right one: a factor slipped in, or a wrong seed carried down.
    const doubled = await runCli([...program, '--claim', "dloss/dW = 2*Z*X'", '--claim', 'dloss/dloss = 2', '--claim', 'dloss/dX = [76, 28; 108, 40]'])
    expect(doubled.stdout).toContain('every entry of yours is 2 times the right one (look for a factor put in or left out')
    expect(doubled.stdout).toContain(
      'yours follows from your seed ∂loss/∂loss = 2, which should be 1: every entry is 2 times the right one, so your steps after the seed are right',
    )
    // The transpose on the wrong factor: Zᵀ·X for Z·Xᵀ.
    const moved = await runCli([...program, '--claim', "dloss/dW = Z'*X"])
    expect(moved.stdout).toContain("your ∂loss/∂W is right with the transpose on X rather than Z: Z*X'")
    // ∂L/∂zᵀ·W, the row a numerator-layout textbook writes for a vector's gradient, is its transpose.
    const row = await runCli(['check', 'z = W*x; L = sum(tanh(z))', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, -1]', '--claim', "dL/dx = dL/dz' * W"])
    expect(row.stdout).toContain(
      'your ∂L/∂x is a 1×2 matrix, but a gradient is shaped like its variable: x is a vector of 2 entries\n     it is the transpose of the right one: the rule is Wᵀ·∂L/∂z, with the factors in that order',
    )
    // At a symmetric X, Z*X has the right numbers; as a formula it is not the gradient.
    const symmetric = await runCli([
      'check',
      'Z = W*X; loss = sum(Z.^2)/2',
      '--W',
      '[1, 2; 3, 4]',
      '--X',
      '[1, 2; 2, 1]',
      '--claim',
      'dloss/dW = Z*X',
      '--claim',
      "dloss/dW = Z*X'",
    ])
    expect(symmetric.stdout).toContain(
      '✗ 1. dloss/dW = Z*X\n     ∂loss/∂W = [13  14; 31  32] here, but your formula is not its formula: with the variables moved a little it no longer agrees',
    )
    expect(symmetric.stdout).toContain("✓ 2. dloss/dW = Z*X'")
    // What it names, typed, is right.
    const fixed = await runCli([...program, '--claim', "dloss/dW = Z*X'", '--claim', "dloss/dX = W'*Z"])
    expect(fixed.stdout).toContain('Claims: 2 of 2 right')
  })
})

describe('check on a tensor program: what it suggests can be typed', () => {
  it('writes a suggested product as the student types it, and takes it as right', async () => {
    const program = ['check', 'yhat = X*w + b; loss = sum((yhat - y).^2)', '--X', '[1, 2; 3, 4; 5, 6]', '--w', '[1, -1]', '--b', '0', '--y', '[1, 0, 2]']
    const { stdout } = await runCli([...program, '--claim', 'dloss/dw = X*dloss/dyhat', '--claim', 'dloss/dw = X*(2*(yhat - y))'])
    const hints = [...stdout.matchAll(/did you mean ([^?]*)\?/g)].map((m) => m[1]!)
    expect(hints).toEqual(["X'*dloss/dyhat", "X'*(2*(yhat - y))"])
    const typed = await runCli([...program, ...hints.flatMap((h) => ['--claim', `dloss/dw = ${h}`])])
    expect(typed.stdout).toContain('Claims: 2 of 2 right')
  })
})

describe('quiz on a tensor program', () => {
  const P = ['quiz', 'z = W*x; L = sum(tanh(z))', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, -1]']
  it('asks each shape before each rule, and judges a rule as a formula', async () => {
    // Forward shapes (z, t1, L), then per edge: shape, rule.
    // Then one entry of each gradient: z = [-1, -1, -1], so ∂L/∂W[1, 1] = (1 - tanh(-1)²)·x[1] and ∂L/∂x[1] = (1 + 3 + 5)·(1 - tanh(-1)²).
    const d = 1 - Math.tanh(-1) ** 2
    const answers = [
      '3',
      '3',
      'scalar',
      '3',
      'g*[1, 1, 1]',
      '3',
      'g .* (1 - tanh(z).^2)',
      '3x2',
      "x*g'",
      "g*x'",
      '2',
      "W'*g",
      String(d),
      String(-9 * d),
      String(9 * d),
    ]
    const { code, stdout } = await runCli([...P], { answers })
    expect(code).toBe(0)
    expect(stdout).toContain('(1/13) the shape of z = W·x = ?')
    expect(stdout).toContain('(8/13) the shape of ∂L/∂W = ?   (z = W·x)')
    // x*g' is 2×3: the transpose of the right one.
    expect(stdout).toContain('✗ not quite: yours is 2×3, but the gradient of W is 3×2: it is the transpose of the right one')
    expect(stdout).toContain('(12/13) ∂L/∂W[1, 1] = ?   (one entry of ∂L/∂z·xᵀ)')
    expect(stdout).toContain(`> ${-9 * d}\n  ✗ not quite: ∂L/∂x[1] = `)
    expect(stdout).toContain('Score: 11 of 13 right at the first try, 2 more after a hint.')
  })

  it("takes a scalar for itself copied to every entry, as broadcasting does: g for sum's rule", async () => {
    const { stdout } = await runCli([...P], { answers: ['3', '3', 'scalar', '3', 'g', '3', '1', 'q'] })
    expect(stdout).toContain('(5/13) ∂L/∂t1 = ?   (L = sum(t1); g = ∂L/∂L)\n> g\n  ✓ right')
    // A constant scalar is no rule: right here (g = 1 copied), wrong with g moved.
    const constant = await runCli([...P], { answers: ['3', '3', 'scalar', '3', '1', 'q'] })
    expect(constant.stdout).toContain('> 1\n  ✗ not quite: right numbers here, wrong formula')
  })

  it('refuses a rule that is right at the traced values only', async () => {
    // At x = [1, -1] the rule ḡ·xᵀ gives the same numbers as g·[1, -1]ᵀ; with x moved it does not.
    const answers = ['3', '3', 'scalar', '3', 'g*[1, 1, 1]', '3', 'g .* (1 - tanh(z).^2)', '3x2', "g*[1, -1]'", 'q']
    const { stdout } = await runCli([...P], { answers })
    expect(stdout).toContain('✗ not quite: right numbers here, wrong formula: with the operands and g moved a little it no longer agrees')
  })
})

describe('quiz on a tensor program with a loop', () => {
  const RNN = ['--file', 'examples/rnn.txt', '--W', '[0.5, -0.2; 0.1, 0.3]', '--U', '[1, 0; 0.5, 1]', '--X', '[1, 2; 0, 1; -1, 0.5]', '--b', '[0; 0.1]']

  it('asks the steps by their names (h#1 is h after step 1), with the shape rule each op has', async () => {
    const files = { 'examples/rnn.txt': readFileSync('examples/rnn.txt', 'utf8') }
    const { code, stdout } = await runCli(['quiz', ...RNN], { answers: ['?', '2x1', '2', '2x1', 'q'], files })
    expect(code).toBe(0)
    // h#0 = zeros(2, 1) is a name for a 2×1 value; W·h#0 is 2×2 · 2×1.
    expect(stdout).toContain('(1/98) the shape of h#0 = zeros(2, 1) = ?\n> ?\n  hint: a name for a value is that value: the same shape\n> 2x1\n  ✓ right')
    expect(stdout).toContain('(2/98) the shape of t1 = W·h#0 = ?\n> 2\n')
    expect(stdout).toContain('✗ not quite: a matrix product m×k · k×n is m×n')
    // JSON and --entry label each step's part as the table does.
    const json = JSON.parse((await runCli([...RNN, '--format', 'json'], { files })).stdout)
    expect(json.edges.filter((e: { from: string }) => e.from === 'W').map((e: { step: string }) => e.step)).toEqual(['t = 3', 't = 2', 't = 1'])
    expect(json.edges.find((e: { from: string; to: string }) => e.to === 'loss')).not.toHaveProperty('step')
    const entry = (await runCli([...RNN, '--entry', 'W[1, 2]'], { files })).stdout
    expect(entry).toContain('∂loss/∂W[1, 2] via t13 (t = 3) = ∂loss/∂t13[1, 1] · ∂t13[1, 1]/∂W[1, 2]')
    expect(entry).toContain('∂loss/∂W[1, 2] via t1 (t = 1) = 0')
    const page = await runCli([...RNN, '--format', 'html', '--quiz'], { files })
    expect(page.code).toBe(0)
    expect(page.stdout).toContain('h#2')
    // The page defines the step names it uses, as the tables' Program block does.
    expect(page.stdout).toContain('<p>The loop unrolled: h#k is h after step k <code>h#0 = zeros(2, 1)\nh#1 = tanh(W·h#0 + U·(X[1, :])&#39; + b)\n')
  })
})

describe('chains of a tensor program', () => {
  it('writes a path that is round-off beside the gradient as 0, and says so', async () => {
    // Batch norm: the path through the mean into the variance carries Σ(X - mu) over the rows, 0 but for round-off.
    const args = [
      '--file',
      'examples/batchnorm.txt',
      '--X',
      'randn(4, 3)',
      '--gamma',
      '[1, 2, 0.5]',
      '--beta',
      '[0, 0.1, -0.1]',
      '--R',
      'randn(4, 3)',
      '--seed',
      '2',
      '--chains',
      'all',
    ]
    const files = { 'examples/batchnorm.txt': readFileSync('examples/batchnorm.txt', 'utf8') }
    const { stdout } = await runCli(args, { files })
    const path4 = stdout.slice(stdout.indexOf('∂loss/∂X, path 4'), stdout.indexOf('∂loss/∂X = sum over 4 paths'))
    expect(path4).toContain('= [0  0  0\n')
    expect(path4).toContain("(0 but for round-off: no entry is above 8e-17, under 1e-12 of the\n            gradient's largest)")
    // (The backward pass's own contribution keeps its floating-point value: that is what it computes.)
    const chains = stdout.slice(stdout.indexOf('4. Chains'), stdout.indexOf('5. Gradients')).replace(/\(0 but for round-off[^)]*\)/g, '')
    expect(chains).not.toMatch(/e-1[5-9]/)
    // The paths still add up to the gradient, as the gradients section gives it.
    const json = JSON.parse((await runCli([...args, '--format', 'json'], { files })).stdout)
    expect(json.gradients.X[0][0]).toBeCloseTo(0.397, 3)
    expect(stdout).toContain('∂loss/∂X = sum over 4 paths = [  0.397  -0.5915   0.2084')
  })

  const RNN = "h = zeros(2, 1)\nfor t = 1:3\n  h = tanh(W*h + U*X[t, :]' + b)\nend\nloss = sum(h .* h)"
  const VALUES = ['--W', '[0.5, -0.2; 0.1, 0.3]', '--U', '[1, 0; 0.5, 1]', '--X', '[1, 2; 0, 1; -1, 0.5]', '--b', '[0; 0.1]']

  it('lists every path with its rules in turn, labelled by its step, and their sum is the gradient', async () => {
    const { stdout } = await runCli([RNN, ...VALUES, '--chains', 'all'])
    const chains = stdout.slice(stdout.indexOf('4. Chains'), stdout.indexOf('5. Gradients'))
    // h#3 is used twice in h .* h, so each step's contribution to W comes along two paths, half of it each.
    expect(chains).toContain('  ∂loss/∂W, path 1 (t = 3): loss ← t19 ← h#3 (use 1) ← t18 ← t17 ← t13 ← W\n')
    expect(chains).toContain('  ∂loss/∂W, path 5 (t = 1): loss ← t19 ← h#3 (use 1) ← t18 ← t17 ← t13 ← h#2 ←')
    expect(chains).toContain('  ∂loss/∂W = sum over 6 paths = [-0.2727  -0.7412')
    const { trace } = await traceTensorProgram(
      RNN,
      Object.fromEntries([
        ['W', VALUES[1]!],
        ['U', VALUES[3]!],
        ['X', VALUES[5]!],
        ['b', VALUES[7]!],
      ]),
    )
    for (const chain of tensorChains(trace)) {
      const sum = new Float64Array(trace.grads[chain.node]!.data.length)
      for (const path of chain.paths!) pathValue(trace, path).data.forEach((v, i) => (sum[i]! += v))
      expect(Array.from(sum).map((v) => v.toFixed(12))).toEqual(Array.from(trace.grads[chain.node]!.data).map((v) => v.toFixed(12)))
    }
    // By default, paths this long are counted, not listed; --chains none leaves the section out and numbers on.
    expect((await runCli([RNN, ...VALUES])).stdout).toContain('  ∂loss/∂W (6 paths of up to 14 rules, summed; --chains all lists them)')
    const none = (await runCli([RNN, ...VALUES, '--chains', 'none', '--lr', '0.1', '--entry', 'W[1, 1]'])).stdout
    expect(
      none
        .split('\n')
        .filter((l) => /^\d+\. /.test(l))
        .map((l) => l.slice(0, 12)),
    ).toEqual(['1. Forward p', '2. Local rul', '3. Backward ', '4. Gradients', '5. Training:', '6. One entry'])
    const json = JSON.parse((await runCli([RNN, ...VALUES, '--format', 'json'])).stdout)
    const w = json.chains.find((c: { variable: string }) => c.variable === 'W')
    expect(w.count).toBe(6)
    expect(w.paths.map((p: { step: string }) => p.step)).toEqual(['t = 3', 't = 3', 't = 2', 't = 2', 't = 1', 't = 1'])
    expect(json.edges[w.paths[0].edges.at(-1)]).toMatchObject({ from: 'W', to: 't13' })
  })
})

describe('check on a tensor program: the seed and repeated uses', () => {
  it('explains the seed, and one use of an input used twice in one operation as a use', async () => {
    const seed = await runCli(['check', 'z = W*x; L = sum(tanh(z))', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, -1]', '--claim', 'dL/dL = 2'])
    expect(seed.stdout).toContain('∂L/∂L is 1, not 2: it is the seed, where the backward pass starts')
    // JSON defines the t-names its explanations use, scalar and tensor.
    const tensorJson = JSON.parse(
      (await runCli(['check', 'z = W*x + x; L = sum(z)', '--W', '[1, 2; 3, 4]', '--x', '[1, -1]', '--claim', 'dL/dx = [1, 1]', '--format', 'json'])).stdout,
    )
    expect(tensorJson.where).toEqual({ t1: 'W·x' })
    expect(tensorJson.claims[0].explanation.join(' ')).toContain('Wᵀ·∂L/∂t1')
    const scalarJson = JSON.parse(
      (
        await runCli([
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
          'dloss/dw = 3',
          '--format',
          'json',
        ])
      ).stdout,
    )
    expect(scalarJson.where).toEqual({ t1: 'x·w', t2: 'yhat - y' })
    // "undefined" as the quiz reads it: right for an entry that rests on relu's kink, wrong elsewhere.
    const undefinedClaims = ['dL/dx[1] = undefined', 'dL/dx[2] = undefined', 'dL/dx = undefined']
    const kink = await runCli(['check', 'L = sum(relu(x))', '--x', '[0, 2]', ...undefinedClaims.flatMap((c) => ['--claim', c])])
    expect(kink.stdout).toContain(
      '✓ 1. dL/dx[1] = undefined\n     ∂L/∂x[1] does not exist here: right. t1 = relu(x) at entry [1]: relu is not differentiable at 0',
    )
    expect(kink.stdout).toContain('✗ 2. dL/dx[2] = undefined\n     ∂L/∂x[2] is 1 here: it exists, with no kink or tie on the way')
    expect(kink.stdout).toContain('✗ 3. dL/dx = undefined\n     ∂L/∂x is [0, 1] here: some of its entries exist')
    // One number for a whole gradient stands for every entry, as in the quiz.
    const every = await runCli(['check', 'L = sum(relu(x))', '--x', '[-1, 2]', '--claim', 'dL/dx = 0'])
    expect(every.stdout).toContain('1 of 2 entries of ∂L/∂x differ: [2] is 1, not 0')
    expect((await runCli(['check', 'L = sum(relu(x))', '--x', '[-1]', '--claim', 'dL/dx = 0'])).stdout).toContain('∂L/∂x = [0]: right')
    // One entry of a whole matrix with its sign flipped is named a sign slip at that entry.
    const oneSign = await runCli(['check', 'z = W*x; L = sum(z)', '--W', '[1, 2; 3, 4]', '--x', '[1, -1]', '--claim', 'dL/dW = [1, -1; 1, 1]'])
    expect(oneSign.stdout).toContain('1 of 4 entries of ∂L/∂W differ: [2, 2] is -1, not 1 (its sign flipped)')
    const twice = await runCli(['check', 'L = sum(x .* x)', '--x', '[3, 1]', '--claim', 'dL/dx = x'])
    expect(twice.stdout).toContain('yours is one use alone; t1 uses x 2 times, and ∂L/∂x is the sum of the 2 contributions: ∂L/∂t1 ⊙ x + ∂L/∂t1 ⊙ x = [6, 2]')
    const two = await runCli(['check', 'z = W*x + x; L = sum(z)', '--W', '[1, 2; 3, 4]', '--x', '[1, -1]', '--claim', 'dL/dx = [1, 1]'])
    expect(two.stdout).toContain('yours is the contribution through z alone; x feeds 2 operations, and ∂L/∂x is the sum of its 2 contributions')
    // Of three contributions, the one left out is named: here z (= Wx + x) through t2 = z .* x.
    // For one entry, the rules' sum is taken at the entry, not set equal to it.
    const entry = await runCli(['check', 'z = W*x + x; L = sum(z)', '--W', '[1, 2; 3, 4]', '--x', '[1, -1]', '--claim', 'dL/dx[2] = 6', '--claim', 'dL/dW = '])
    expect(entry.stdout).toContain('∂L/∂x[2] is the sum of its 2 contributions: (∂L/∂z + Wᵀ·∂L/∂t1)[2] = 7')
    expect(entry.stdout).toContain('cannot be read: the value after = is empty')
    // The quiz's g is no node in a claim: how a claim names it is said.
    const g = await runCli(['check', 'z = W*x; L = sum(z)', '--W', '[1, 2; 3, 4]', '--x', '[1, 2]', '--claim', "dL/dW = g*x'"])
    expect(g.stdout).toContain(
      'cannot be read: g is not a node of the program (a claim names the gradient arriving at an operation as a gradient of L, as in dL/dz, where the quiz writes g)',
    )
    // A shape error's own "did you mean" is kept only where it gives the gradient; a transpose that does is named.
    const unfit = await runCli([
      'check',
      'z = W*x; L = sum(tanh(z))',
      '--W',
      '[1, 2; 3, 4; 5, 6]',
      '--x',
      '[1, -1]',
      '--claim',
      "dL/dW = x'*dL/dz'",
      '--claim',
      'dL/dW = dL/dz*x',
    ])
    expect(unfit.stdout).not.toContain('did you mean')
    expect(unfit.stdout).toContain("the inner sizes must agree (right with x transposed: dL/dz*x'); the backward pass computes it as ∂L/∂z·xᵀ")
    const three = await runCli(['check', 'z = W*x + x; L = sum(z .* x)', '--W', '[1, 2; 3, 4]', '--x', '[1, 2]', '--claim', "dL/dx = W'*x + x"])
    expect(three.stdout).toContain('yours leaves out ∂L/∂t2 ⊙ z (through t2); x feeds 3 operations, and ∂L/∂x is the sum of its 3 contributions')
    expect(three.stdout).toContain('= [14, 25]')
    // A bias's gradient summed along the other axis: that slip named, and no matrix product's reason where there is none.
    const axis = await runCli([
      'check',
      'Z = X*W + b; L = sum(sum(tanh(Z)))',
      '--X',
      '[1, 2; -1, 0.5]',
      '--W',
      '[0.5, -1; 1, 0.2]',
      '--b',
      '[0.1, -0.3]',
      '--claim',
      'dL/db = sum(dL/dZ, 2)',
      '--format',
      'json',
    ])
    const summed = JSON.parse(axis.stdout).claims[0]
    expect(summed.diagnosis).toEqual({ kind: 'axis', fixed: 'sum(dL/dZ, 1)' })
    expect(summed.explanation[0]).not.toContain('matrix product')
    // A product's rule in the wrong order, which square shapes do not catch: judged wrong, the order given.
    const order = await runCli([
      'check',
      'Z = W*X; loss = sum(tanh(Z))',
      '--W',
      '[1, 2; 3, 4]',
      '--X',
      '[1, 0.5; -1, 2]',
      '--claim',
      "dloss/dW = X' * dloss/dZ",
      '--format',
      'json',
    ])
    const swapped = JSON.parse(order.stdout).claims[0]
    expect([swapped.right, swapped.diagnosis]).toEqual([false, { kind: 'reordered', fixed: "dloss/dZ * X'" }])
    expect(swapped.explanation[0]).toContain(
      "has the right factors in the wrong order (a matrix product does not commute, and these shapes fit either way): dloss/dZ * X'",
    )
    // x .* x .* x: three equal contributions (x² each), so which one a 2x² leaves out is not guessed.
    const cube = await runCli(['check', 'L = sum(x .* x .* x)', '--x', '[1, 2]', '--claim', 'dL/dx = 2*x.*x', '--format', 'json'])
    const verdict = JSON.parse(cube.stdout).claims[0]
    expect(verdict.diagnosis).toEqual({ kind: 'missing', leftOut: [], count: 1, of: 3, equal: true })
    expect(verdict.explanation[0]).toContain('yours leaves out one of the 3 contributions (which one cannot be told: they are equal here)')
    expect(verdict.explanation[0]).not.toContain('alone')
  })
})

describe('the tensor quiz shows what it asks about', () => {
  it('writes a drawn value with its numbers on the Values line, since entries are asked', async () => {
    const { stdout } = await runCli(['quiz', 'L = sum(W*x)', '--W', '[1, 2; 3, 4]', '--x', 'ones(2)'], { answers: ['q'] })
    expect(stdout).toContain('Values   W: 2×2 ([1, 2; 3, 4]), x: 2 (ones(2) = [1, 1])\n')
  })
})

describe('check and --entry say nothing twice or undefined', () => {
  it('gives a fix once, refuses undefined inside a value, names the upstream of a convolution, and a tie’s 0 as the convention’s', async () => {
    const layer = ['check', 'z = W*x; L = sum(tanh(z))', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, -1]']
    const once = (await runCli([...layer, '--claim', 'dL/dx = W*dL/dz', '--claim', 'dL/dx = [undefined, 1]'])).stdout
    expect(once).toContain("(did you mean W'*dL/dz?); the backward pass")
    expect(once).not.toContain('right with W transposed')
    expect(once).toContain('cannot be read: undefined stands for a whole gradient or one entry (dL/dx[1] = undefined), not for an entry inside a value')
    const conv = (
      await runCli([
        'check',
        'L = sum(conv1d(x, k) .* c)',
        '--x',
        '[1, 2, 3, 4, 5]',
        '--k',
        '[1, 0, -1]',
        '--c',
        '[1, 2, 3]',
        '--claim',
        'dL/dx = conv1d(dL/dt1, k, 1, 2)',
      ])
    ).stdout
    expect(conv).toContain('so ∂L/∂t1 (padded) is correlated with flip(k)')
    expect(conv).not.toContain('ḡ')
    const kink = (await runCli(['check', 'L = sum(abs(x))', '--x', '[0, 1]', '--claim', 'dL/dx = [1, 1]'])).stdout
    expect(kink).toContain("there the derivative does not exist, and the number is the convention's: t1 = abs(x) at entry [1]: abs is not differentiable at 0")
    const tie = (await runCli(['L = sum(maxpool1d(x, 2) .* w)', '--x', '[3, 3, 1, 2]', '--w', '[2, 5]', '--entry', 'x[2]'])).stdout
    expect(tie).toContain('(∂t1[i]/∂x[2] = 0 for every entry of t1, by the convention below)')
  })
})

describe('check on a loop program', () => {
  it('names a contribution left out by its step', async () => {
    const program = 'h = 0\nfor t = 1:3\n  h = tanh(W*h + u*x[t])\nend\nL = h*h'
    const { stdout } = await runCli(['check', program, '--W', '0.5', '--u', '0.8', '--x', '[1, 2, -1]', '--claim', 'dL/du = dL/dt11*x[3]'])
    expect(stdout).toContain('yours is the contribution through t11 (t = 3) alone; u feeds 3 operations')
  })
})

describe('the heading of a program the tensor path traces', () => {
  it('speaks of tensors only where a value is one: a loop of scalars is said to be unrolled', async () => {
    const loop = await runCli(['y = 0\nfor i = 1:3\n  y = y + x*i\nend\nL = y*y', '--x', '2'])
    expect(loop.stdout.split('\n')[0]).toBe('Program (the loop unrolled: y#k is y after step k)')
    // L = (x + 2x + 3x)² = 36x² at x = 2: 144, and ∂L/∂x = 72x = 144.
    expect(loop.stdout).toContain('│ L    │ mul      │ y#3·y#3    │ scalar │ 144   │')
    expect((await runCli(['sum(x)', '--x', '2'])).stdout.split('\n')[0]).toBe('Program')
    expect((await runCli(['sum(x)', '--x', '[1, 2]'])).stdout.split('\n')[0]).toBe('Program (tensors: * is the matrix product, functions apply entry by entry)')
  })
})

describe('a loop program typed back', () => {
  it('reads a step name (h#2) in a claim and an answer, and warns of a loop that runs no step', async () => {
    const files = { 'examples/rnn.txt': readFileSync('examples/rnn.txt', 'utf8') }
    const RNN = ['--file', 'examples/rnn.txt', '--W', '[0.5, -0.2; 0.1, 0.3]', '--U', '[1, 0; 0.5, 1]', '--X', '[1, 2; 0, 1; -1, 0.5]', '--b', '[0; 0.1]']
    const claims = ["dloss/dW = dloss/dt13 * h#2' + dloss/dt7 * h#1' + dloss/dt1 * h#0'", "dloss/dh#2 = W' * dloss/dt13"]
    const checked = await runCli(['check', ...RNN, ...claims.flatMap((c) => ['--claim', c])], { files })
    expect(checked.stdout).toContain('Claims: 2 of 2 right')
    // Question 50 is W's contribution at t = 3: its rule is g·h#2ᵀ, and the hint names h#2.
    const quiz = await runCli(['quiz', ...RNN], { files, answers: [...Array.from({ length: 147 }, () => '?'), '', '', "g*h#2'", 'q'] })
    expect(quiz.stdout).toContain('(50/98) ∂loss/∂W (the contribution through t13) = ?')
    expect(quiz.stdout).toContain("hint: it is written with g and h#2; as a product its shapes are 2×1 · 1×2 → 2×2\n> g*h#2'\n  ✓ right")
    const empty = await runCli(['s = w\nfor t = 3:1\n  s = s .* w\nend\nloss = sum(s)', '--w', '[2]'])
    expect(empty.stderr).toContain('warning: statement 2, for t = 3:1 runs no step: its start 3 is past its end 1 (a loop counts up by 1)')
  })

  it('writes a power in LaTeX as a group, so forward mode compiles', async () => {
    const { stdout } = await runCli(['loss = sum(x .^ 2)', '--x', '[1, 2]', '--mode', 'both', '--format', 'latex'])
    expect(stdout).toContain('\\dot{t_{1}} &= 2\\cdot x^{2 - 1} \\odot  \\dot{x}')
    expect(stdout).not.toContain('\\^')
  })

  it('says ε is included in a normalization only where the program adds one', async () => {
    const program = (eps: string) => `mu = mean(X, 1); v = mean((X - mu).^2, 1); Xh = (X - mu) ./ sqrt(v${eps}); loss = sum(Xh .* W)`
    const values = ['--X', 'randn(4, 3)', '--W', 'randn(4, 3)']
    const said = async (eps: string) => (await runCli([program(eps), ...values])).stdout.replace(/\s+/g, ' ')
    expect(await said('')).toContain("with σ the column's standard deviation: the closed form of batch normalization")
    expect(await said(' + 1e-5')).toContain("with σ the column's standard deviation (ε included): the closed form")
  })
})

describe('quiz on a tensor program: the forms it shows and takes', () => {
  // Three tries each: every question ends in its worked answer.
  const revealed = async (args: string[]) => (await runCli(args, { answers: Array.from({ length: 400 }, () => '?') })).stdout
  const answerLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('  answer: '))

  it('shows every rule it can take as typed text, and takes it: convolution, softmax, sums along an axis, mean, flip', async () => {
    const program = 'L = sum(conv1d(x, k, 1, 1) .* c) + sum(softmax(A, 2) .* A) + sum(sum(A, 1) .* r) + sum(mean(A, 2) .* r) + sum(flip(c) .* c)'
    const values = ['--x', '[1, 2, 3, 4, 5]', '--k', '[1, 0, -1]', '--c', '[1, 2, 3, 4, 5]', '--A', '[1, 2; 3, 4]', '--r', '[1, 2]']
    const stdout = await revealed(['quiz', program, ...values])
    // Every rule's worked answer (∂L/∂node = …, not a shape or an entry) ends in a form the quiz takes.
    const rules = answerLines(stdout).filter((line) => /^ {2}answer: ∂L\/∂[\w#]+( \(the contribution through \w+\))? = /.test(line))
    expect(rules.length).toBe(29)
    expect(rules.filter((line) => !line.includes('; typed: '))).toEqual([])
    expect(stdout).toContain('typed: conv1d(g, flip(k), 1, 1)')
    expect(stdout).toContain('typed: conv1d(x, g, 1, 1)')
    expect(stdout).toContain("typed: t4 .* (g - (sum(g .* t4, 2)')')")
    expect(stdout).toContain("typed: ones(2, 1)*g'")
    expect(stdout).toContain('typed: g*ones(1, 2)/2')
    expect(stdout).toContain('typed: flip(g)')
    // And what it shows, typed, is right: ∂L/∂x = g padded by 2 - 1 ⋆ flip(k) = [1, 2, 2, -2, -3] for L = sum(conv1d(x, k) .* [1, 2, 3]).
    const conv = ['quiz', 'L = sum(conv1d(x, k) .* c)', '--x', '[1, 2, 3, 4, 5]', '--k', '[1, 0, -1]', '--c', '[1, 2, 3]']
    const answers = ['3', '3', 'scalar', '3', 'g', '3', 'g .* c', '3', 'g .* t1', '5', 'conv1d(g, flip(k), 1, 2)', '3', 'conv1d(x, g)', 'q']
    const typed = await runCli(conv, { answers })
    expect(typed.stdout).toContain('> conv1d(g, flip(k), 1, 2)\n  ✓ right')
    expect(typed.stdout).toContain('> conv1d(x, g)\n  ✓ right')
    // The kernel not flipped is a different rule: right nowhere here.
    const unflipped = await runCli(conv, { answers: [...answers.slice(0, 10), 'conv1d(g, k, 1, 2)', 'q'] })
    expect(unflipped.stdout).toContain('> conv1d(g, k, 1, 2)\n  ✗ not quite: the shape is right, the numbers are not')
  })

  it('shows element-wise rules, abs and max in the dotted operators the quiz takes', async () => {
    const program = 'L = sum(relu(x) .* sigmoid(x)) + sum(abs(x) ./ sqrt(y)) + max(x) + sum(y.^3)'
    const values = ['--x', '[0.5, -1.5, 2]', '--y', '[1, 4, 9]']
    const stdout = await revealed(['quiz', program, ...values])
    const rules = answerLines(stdout).filter((line) => /^ {2}answer: ∂L\/∂[\w#]+( \(the contribution through \w+\))? = /.test(line))
    expect(rules.filter((line) => !line.includes('; typed: '))).toEqual([])
    for (const form of ['g .* (x > 0)', 'g .* sigmoid(x) .* (1 - sigmoid(x))', 'g .* sign(x)', 'g * (x >= max(x)) / sum(x >= max(x))', 'g .* 3 .* y.^2'])
      expect(stdout).toContain(`; typed: ${form}`)
    // A constant operand as written (the rule prints its rounded value), a broadcast bias's sum over the batch.
    const scaled = await revealed(['quiz', 'S = A / sqrt(2); L = sum(S .* S)', '--A', '[1, 2; 3, 4]'])
    expect(scaled).toContain('; typed: g / sqrt(2)')
    const bias = await revealed(['quiz', 'Z = X*W + b; L = sum(Z .* Z)', '--X', '[1, 2; 3, 4; 5, 6]', '--W', '[1, 0; 0, 1]', '--b', '[1, -1]'])
    expect(bias).toContain('; typed: sum(g, 1)')
    expect(bias).toContain('hint: it is written with g alone; b was copied to fill the output, so its gradient adds the copies back up: g summed over the rows')
    // A column bias (one per row, copied along the columns): ḡ·1, its sum over the columns kept a column.
    const column = await revealed(['quiz', 'Z = W*X + b; L = sum(Z .* Z)', '--W', '[1, 0; 0, 1]', '--X', '[1, 2, 3; 4, 5, 6]', '--b', '[1; -1]'])
    expect(column).toContain('answer: ∂L/∂b = ∂L/∂Z, summed over the columns = [18; 24]; typed: g*ones(3, 1)')
    // sign is written so, as the tables write it, and typed so. The upstream is 1/sqrt(y).
    expect(stdout).toContain('= ∂L/∂t5 ⊙ sign(x) = [1, -0.5, 0.3333]; typed: g .* sign(x)')
  })

  it('sets a rule with a where-clause equal to its value before the clause, so the value is not read as the name defined', async () => {
    const stdout = await revealed(['quiz', 'L = sum(softmax(z) .* y)', '--z', '[0, 1]', '--y', '[1, 0]'])
    expect(stdout).toMatch(/answer: ∂L\/∂z = p ⊙ \(∂L\/∂t1 - Σ\(∂L\/∂t1 ⊙ p\)\) = \[-?[\d.]+, -?[\d.]+\], where p = softmax\(z\)/)
    expect(stdout).not.toMatch(/where p = softmax\(z\) = \[/)
  })

  it('types a rule whose formula rounds a constant (log2, log10, 2.^x) with the constant as a call, and abs at 0 by sign', async () => {
    const stdout = await revealed(['quiz', 'L = sum(log2(x) + log10(x) + 2.^x)', '--x', '[1, 2]'])
    const rules = answerLines(stdout).filter((line) => /^ {2}answer: ∂L\/∂[\w#]+( \(the contribution through \w+\))? = /.test(line))
    expect(rules.filter((line) => !line.includes('; typed: '))).toEqual([])
    // 1/(x ln 2) at [1, 2] is [1.443, 0.7213]; 2^x ln 2 is [1.386, 2.773].
    expect(stdout).toContain('= [1.443, 0.7213]; typed: g ./ (x .* log(2))')
    expect(stdout).toContain('typed: g ./ (x .* log(10))')
    expect(stdout).toContain('= [1.386, 2.773]; typed: g .* log(2) .* 2 .^ x')
    // At 0, abs's rule takes sign(0) = 0, which sign typed gives (x/|x| would be NaN).
    const kink = await revealed(['quiz', 'L = sum(abs(x))', '--x', '[0, 2]'])
    expect(kink).toContain('= ∂L/∂t1 ⊙ sign(x) = [0, 1]; typed: g .* sign(x)')
  })

  it("names the upstream gbar where the program has a g of its own, and hints each operation's own shape rule", async () => {
    const stdout = await revealed(['quiz', 'L = sum(maxpool1d(conv1d(x, k), 2) .* g)', '--x', '[1, 2, 3, 4, 5, 6]', '--k', '[1, 0, -1]', '--g', '[1, 2]'])
    expect(stdout).toContain('a rule as an expression in gbar, the gradient arriving')
    expect(stdout).toContain('(gbar is the gradient arriving from above)')
    expect(stdout).toContain('typed: gbar .* g')
    expect(stdout).toContain('hint: a convolution of n entries by a kernel of k leaves')
    expect(stdout).toContain('hint: pooling n entries with windows of k')
    expect(stdout).toContain('the shape of t1 = conv1d(x, k) = ?\n> ?\n  hint: a convolution of n entries')
  })

  it('works an entry reached through several paths as each path, then their sum', async () => {
    const stdout = await revealed(['quiz', 'L = sum(mean(A, 2) .* r) + sum(sum(A, 1) .* r)', '--A', '[1, 2; 3, 4]', '--r', '[1, 2]'])
    expect(stdout).toContain(
      '  answer: ∂L/∂A[1, 1] via t4 = ∂L/∂t4[1] · ∂t4[1]/∂A[1, 1] = ∂L/∂t4[1] · 1 = 1 · 1 = 1; ∂L/∂A[1, 1] via t1 = ∂L/∂t1[1] · ∂t1[1]/∂A[1, 1] = ∂L/∂t1[1] · 1/2 = 1 · 0.5 = 0.5; ∂L/∂A[1, 1] = 1 + 0.5 = 1.5',
    )
  })
})

describe('quiz on a tensor program at a kink', () => {
  // x = [0, 1]: relu(x)[1] sits on its kink, where PyTorch takes relu′(0) = 0.
  const K = ['quiz', 'L = sum(relu(x))', '--x', '[0, 1]']
  const upToRule = ['2', 'scalar', '2', 'g', '2']

  it('takes relu’s mask typed as a comparison, and points "undefined" for a whole rule to the convention', async () => {
    const { stdout } = await runCli([...K], { answers: [...upToRule, 'undefined', 'g .* (x >= 0)', 'g .* (x > 0)', 'q'] })
    expect(stdout).toContain(
      "> undefined\n  t1 = relu(x) at entry [1]: relu is not differentiable at 0: the gradient is taken as 0 (PyTorch's convention); the rule is defined everywhere with that convention: type it in g\n",
    )
    // x >= 0 holds at the kink too, so it gives 1 there, not the convention's 0.
    expect(stdout).toContain('> g .* (x >= 0)\n  ✗ not quite: the shape is right, the numbers are not')
    expect(stdout).toContain('> g .* (x > 0)\n  ✓ right')
  })

  it('asks the entry that rests on the convention, and "undefined" is right there', async () => {
    const { stdout } = await runCli([...K], { answers: [...upToRule, 'g .* (x > 0)', 'undefined'] })
    expect(stdout).toContain('(7/7) ∂L/∂x[1] = ?')
    expect(stdout).toContain(
      "> undefined\n  ✓ right: t1 = relu(x) at entry [1]: relu is not differentiable at 0: the gradient is taken as 0 (PyTorch's convention); the trace goes on with 0",
    )
    expect(stdout).toContain('Score: 7 of 7 right at the first try.')
  })

  it('says "undefined" is no answer where every derivative exists, and names shapes in words', async () => {
    const { stdout } = await runCli(['quiz', 'L = sum(relu(x))', '--x', '[2, 1]'], {
      answers: ['', '', '2', 'scalar', '2', 'g', '2', 'g .* (x > 0)', 'undefined', 'q'],
    })
    expect(stdout).toContain('  hint: x is a vector of 2 entries\n')
    expect(stdout).toContain('> undefined\n  it is defined here: type a number or an expression\n')
  })

  it('hints at a rule and a gradient’s shape without giving them away', async () => {
    const { stdout } = await runCli(['quiz', 'z = W*x; L = sum(relu(z))', '--W', '[1, 2; 3, 4]', '--x', '[1; -0.5]'], {
      answers: ['2x1', '2x1', 'scalar', '', '', '', 'g', '2x1', '', '', '', 'q'],
    })
    // The shape of ∂L/∂t1: the second hint points to where t1's shape was asked.
    expect(stdout).toContain("  hint: t1's own shape was question 2\n")
    // relu's rule: the second hint names what it is written with, not the rule.
    expect(stdout).toContain('  hint: it is written with g and z\n')
    expect(stdout).not.toContain('hint: g ⊙ [z > 0]')
  })

  it('says of an entry with a zero partial derivative only what is true: relu′(0) is a convention, not independence', async () => {
    const { stdout } = await runCli(['L = sum(relu(x))', '--x', '[0, 1]', '--entry', 'x[1]'])
    // The entry's own term is written out, its 0 the convention's, named below.
    expect(stdout).toContain('∂L/∂x[1] = ∂L/∂t1[1] · ∂t1[1]/∂x[1]\n')
    expect(stdout).toContain('= 1 · 0\n')
    expect(stdout).not.toContain('for every entry of t1')
    expect(stdout).toContain('  ⚠ t1 = relu(x) at entry [1]: relu is not differentiable at 0: the gradient is')
  })
})

describe('--entry through an entry-by-entry op', () => {
  it('takes the other entries’ partials as 0 by structure, even where the local derivative is infinite', async () => {
    // log2 at x[1] = 0 has slope ∞; ∂t1[2]/∂x[1] is 0 (t1[2] = log2(x[2])), never 0 · ∞ = NaN.
    const { stdout } = await runCli(['L = sum(log2(x))', '--x', '[0, 2]', '--entry', 'x[1]'])
    expect(stdout).toContain('= ∂L/∂t1[1] · 1.4427/x[1]\n           = 1 · Infinity\n           = Infinity\n')
    expect(stdout).not.toContain('NaN')
  })

  it('names the output’s own operation by its expression, so its partial is not the gradient’s name', async () => {
    // L = norm(v) at [1, 2]: ∂norm(v)/∂v[1] = 1/√5 = 0.4472.
    const { stdout } = await runCli(['L = norm(v)', '--v', '[1, 2]', '--entry', 'v[1]'])
    expect(stdout).toContain('∂L/∂v[1] = ∂L/∂L · ∂norm(v)/∂v[1]\n           = 1 · 0.4472\n')
    expect(stdout).not.toContain('∂L/∂L · ∂L/∂v[1]')
    // A negative partial is bracketed as a factor: · (-1), never · -1.
    const minus = (await runCli(['L = sum((y - x) .* y)', '--x', '[1, 2]', '--y', '[3, 4]', '--entry', 'x[1]'])).stdout
    expect(minus).toContain('= ∂L/∂t1[1] · (-1)\n')
  })
})

describe('--explain on a tensor program', () => {
  it('prints each small local Jacobian in full, and the rule is ḡ times it', async () => {
    const { stdout } = await runCli(['z = W*x; L = sum(softmax(z) .* [1, 0, 0])', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, -1]', '--explain'])
    // ∂(W·x)/∂x is W itself; softmax's is diag(p) - p·pᵀ.
    expect(stdout).toContain('  ∂(W·x)/∂x  (3 × 2)\n    [1  2\n     3  4\n     5  6]\n')
    const e = [-1, -1, -1].map(Math.exp)
    const p = e.map((v) => v / (e[0]! + e[1]! + e[2]!))
    const diagonal = (p[0]! - p[0]! ** 2).toPrecision(4)
    const off = (-p[0]! * p[1]!).toPrecision(4)
    expect(stdout).toContain(`  ∂(softmax(z))/∂z  (3 × 3)\n    [ ${diagonal}  ${off}  ${off}\n`)
  })
})

describe('the worked examples', () => {
  it('fit 80 columns, as every terminal view does by default', async () => {
    const { readdirSync, readFileSync } = await import('node:fs')
    const dir = new URL('../docs/tensors/', import.meta.url)
    const files = readdirSync(dir)
    expect(files).toHaveLength(10)
    for (const file of files) {
      const widest = Math.max(
        ...readFileSync(new URL(file, dir), 'utf8')
          .split('\n')
          .map((line) => [...line].length),
      )
      expect([file, widest <= 80]).toEqual([file, true])
    }
  })
})

describe('big tensors in the terminal', () => {
  it('write a matrix too wide for its table below it, named, so every line fits 80 columns', async () => {
    const { stdout } = await runCli([
      'H = relu(X*W1 + b1); loss = mean(logsumexp(H, 2))',
      '--X',
      'randn(64, 30)',
      '--W1',
      'randn(30, 20) / 5',
      '--b1',
      'zeros(20)',
    ])
    expect(Math.max(...stdout.split('\n').map((line) => [...line].length))).toBeLessThanOrEqual(80)
    expect(stdout).toMatch(/│ X +│ variable +│ +│ 64×30 +│ \(below\) +│/)
    expect(stdout).toContain('  Values too wide for the table:\n  X  (64×30)\n    [')
  })
})

describe('--wrt on a tensor program', () => {
  it('says which step a name a loop assigns stands for: its last', async () => {
    const rnn = ['--file', 'examples/rnn.txt', '--W', '[0.5, -0.2; 0.1, 0.3]', '--U', '[1, 0; 0.5, 1]', '--X', '[1, 2; 0, 1; -1, 0.5]', '--b', '[0; 0.1]']
    const files = { 'examples/rnn.txt': readFileSync('examples/rnn.txt', 'utf8') }
    const last = (await runCli([...rnn, '--wrt', 'h', '--width', '200'], { files })).stdout
    expect(last).toContain('⚠ --wrt h: h is assigned 4 times (h#0 to h#3); this is its last value, h#3; another is named by its step, as --wrt h#2')
    expect(last).toContain('│ h#3      │')
    const step = (await runCli([...rnn, '--wrt', 'h#2'], { files })).stdout
    expect(step).toContain('∂loss/∂h#2')
    expect(step).not.toContain('--wrt h#2:')
  })

  // LAYER by hand: W·x = [-1, -1, -1], z = [-0.5, -1, -1.5], ∂L/∂z = 1 - tanh(z)².
  const z = [-0.5, -1, -1.5]
  const dz = z.map((v) => 1 - Math.tanh(v) ** 2)

  it('keeps the backward pass down to the chosen nodes, and gives their gradients, checked', async () => {
    const { stdout, code } = await runCli([...LAYER, '--wrt', 'z,W', '--precision', '6'])
    expect(code).toBe(0)
    const backward = stdout.slice(stdout.indexOf('3. Backward pass'), stdout.indexOf('4. Chains'))
    const gradients = backward.split('\n').flatMap((line) => /^│ (∂L\/∂\S+)/.exec(line)?.[1] ?? [])
    expect(gradients).toEqual(['∂L/∂L', '∂L/∂t2', '∂L/∂z', '∂L/∂t1', '∂L/∂W'])
    const rows = stdout.slice(stdout.indexOf('5. Gradients')).split('\n')
    expect(rows[0]).toContain('each shaped like its variable or node')
    const zRow = rows.find((line) => line.startsWith('│ z '))!
    const shown = /\[([^\]]+)\]/.exec(zRow)![1]!.split(',').map(Number)
    shown.forEach((v, k) => expect(v).toBeCloseTo(dz[k]!, 5))
    expect(zRow).toContain('agrees (3 entries)')
    expect(stdout).toContain('z is moved alone, its inputs held fixed')
  })

  it('checks an intermediate by moving it alone: its right gradient agrees, a wrong one does not', async () => {
    const [source, ...flags] = LAYER
    const values: Record<string, string> = {}
    for (let k = 0; k < flags.length; k += 2) values[flags[k]!.slice(2)] = flags[k + 1]!
    const { trace } = await traceTensorProgram(source!, values)
    const view = wrtView(trace, ['z'])
    expect(view.checks.map((c) => c.status)).toEqual(['agree'])
    const node = view.gradients[0]!.node
    const wrong = tensor(
      [3],
      Float64Array.from(dz, (v) => v * 1.01),
    )
    expect(checkGradients(trace, [{ name: 'z', node, grad: wrong }])[0]!.status).toBe('disagree')
  })

  it('names what it cannot take, and leaves JSON whole', async () => {
    const unknown = await runCli([...LAYER, '--wrt', 'q'])
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      'backprop-tutor: error: --wrt q: the program has no variable or node q (its variables and nodes: W, x, t1, b, z, t2, L)\n',
    ])
    const constant = await runCli(['c = [1, 2] .* 3; L = sum(c .* x)', '--x', '[1, 2]', '--wrt', 'c'])
    expect([constant.code, constant.stderr]).toEqual([
      1,
      'backprop-tutor: error: --wrt c: it is computed from constants alone, so the backward pass gives it no gradient\n',
    ])
    const json = await runCli([...LAYER, '--format', 'json'])
    expect((await runCli([...LAYER, '--format', 'json', '--wrt', 'z'])).stdout).toBe(json.stdout)
  })
})

describe('forward mode on a tensor program', () => {
  // LAYER by hand: z = [-0.5, -1, -1.5]; along Ẇ = 1 at [1, 1], ṫ1 = Ẇ·x = [1, 0, 0], so L̇ = 1 - tanh(-0.5)².
  const along11 = 1 - Math.tanh(-0.5) ** 2

  it('table: a tangent table per variable after the reverse sections, the costs, and ASCII tangents', async () => {
    const { stdout, code } = await runCli([...LAYER, '--mode', 'both', '--precision', '8'])
    expect(code).toBe(0)
    const titles = stdout.split('\n').filter((line) => /^\d+\. /.test(line))
    expect(titles.map((t) => t.slice(0, 30))).toEqual([
      '1. Forward pass: the value and',
      '2. Local rules: ① what each op',
      '3. Backward pass: ② each rule ',
      '4. Chains: the rules applied i',
      '5. Gradients, each shaped like',
      '6. Forward mode for W along Ẇ ',
      '7. Forward mode for x along ẋ ',
      '8. Forward mode for b along ḃ ',
      '9. Forward or reverse: what ea',
    ])
    expect(stdout).toContain('│ ṫ1      │ Ẇ·x')
    const result = /L̇ = (\S+) = ∂L\/∂W\[1, 1\] from the backward pass: the same/.exec(stdout)!
    expect(Number(result[1])).toBeCloseTo(along11, 7)
    const unfolded = stdout.replace(/\n {6}/g, ' ')
    expect(unfolded).toContain('forward mode: 11 passes for the whole gradient (one per entry of W, x and b), 147 multiply-adds')
    expect(unfolded).toContain('reverse mode: 1 backward pass for all 11 entries at once, 24 multiply-adds')
    const ascii = await runCli([...LAYER, '--mode', 'forward', '--ascii', '--wrt', 'x'])
    expect(ascii.stdout).toContain('| dot(t1) | W*dot(x)')
    expect(ascii.stdout.match(/[^\x00-\x7f]/g)).toBeNull()
    expect(ascii.stdout).not.toContain('2. Local rules')
  })

  it('--tangent: a chosen direction checked against the gradient dotted with it, or one entry', async () => {
    const { stdout } = await runCli([...LAYER, '--mode', 'forward', '--tangent', 'x=[2, 3]', '--tangent', 'b[3]', '--format', 'json'])
    const forward = JSON.parse(stdout).forward
    const json = JSON.parse((await runCli([...LAYER, '--format', 'json'])).stdout)
    const [dx, db] = [json.gradients.x as number[], json.gradients.b as number[]]
    expect(forward.passes.map((p: { direction: unknown }) => p.direction)).toEqual([{ from: '[2, 3]' }, { entry: [3] }])
    expect(forward.passes[0].result).toBeCloseTo(2 * dx[0]! + 3 * dx[1]!, 12)
    expect(forward.passes[1].result).toBeCloseTo(db[2]!, 12)
    expect(forward.passes[1].tangents.b).toEqual([0, 0, 1])
    expect(forward.passes.every((p: { agrees: boolean }) => p.agrees)).toBe(true)
    expect(forward.costs).toEqual({ forward: { passes: 11, operations: 147 }, reverse: { passes: 1, operations: 24 } })
    for (const [tangent, message] of [
      ['W=[1, 2]', '--tangent W=[1, 2]: W is 3×2 and the direction has 2 entries; a direction is shaped like its variable'],
      ['z[1]', '--tangent z[1]: z is computed by the program; a direction is given to a variable (its variables: W, x, b)'],
      ['x[3]', '--tangent x[3]: index 3 is outside 1 to 2'],
    ]) {
      const result = await runCli([...LAYER, '--mode', 'forward', '--tangent', tangent!])
      expect([result.code, result.stderr]).toEqual([1, `backprop-tutor: error: ${message}\n`])
    }
    expect((await runCli([...LAYER, '--tangent', 'x[1]'])).code).toBe(2)
  })

  it('markdown and latex: GFM tables and align* blocks that KaTeX renders, ASCII-only LaTeX', async () => {
    const markdown = await runCli([...LAYER, '--mode', 'forward', '--format', 'markdown'])
    const html = micromark(markdown.stdout, { extensions: [gfm()], htmlExtensions: [gfmHtml()] })
    // The forward pass, then one table per variable.
    expect(html.match(/<table>/g)).toHaveLength(4)
    expect(html).toContain('<code>Ẇ·x</code>')
    const latex = await runCli([...LAYER, '--mode', 'both', '--format', 'latex', '--standalone'])
    const blocks = [...latex.stdout.matchAll(/\\begin\{align\*\}([\s\S]*?)\\end\{align\*\}/g)].map((m) => m[1]!)
    // As the reverse sections' 5, then the chains of W, x and b, then the tangent passes of W, x and b.
    expect(blocks).toHaveLength(11)
    for (const block of blocks) katexRender(`\\begin{aligned}${block}\\end{aligned}`, true)
    expect(blocks[9]).toContain('\\dot{t_{1}} &= W\\cdot \\dot{x}')
    expect(latex.stdout.match(/[^\x00-\x7f]/g)).toBeNull()
  })
})

describe('max at a tie', () => {
  it('says the gradient is split among the tied entries, as the numbers beside it show', async () => {
    const { stdout } = await runCli(['max(v)', '--v', '[1, 3, 3]', '--format', 'json'])
    const json = JSON.parse(stdout)
    expect(json.gradients.v).toEqual([0, 0.5, 0.5])
    expect(json.edges[0].formula).toBe('g split evenly among the largest entries of v, 0 elsewhere')
  })
})

describe('forward mode, from a student pass', () => {
  it("names a quotient's operands in its rules (-x/y², not -x/b²) and writes a difference of tangents as one", async () => {
    const { stdout } = await runCli(['loss = sum(x ./ y) - sum(y)', '--x', '[1, 2]', '--y', '[3, 4]', '--mode', 'both', '--tangent', 'y=[1, 1]'])
    expect(stdout).toContain('│ ḡ ⊙ -x/y²')
    expect(stdout).toContain('│ ṫ1      │ -x/y² ⊙ ẏ')
    expect(stdout).toContain('│ l̇oss    │ ṫ2 - ṫ3')
    // L̇ = Σ -x/y² - 2 = -1/9 - 2/16 - 2.
    expect(stdout).toContain(`l̇oss = ${(-1 / 9 - 2 / 16 - 2).toPrecision(4)} = Σ(∂loss/∂y ⊙ ẏ)`)
  })

  it('counts the backward pass --wrt needs, and refuses a --wrt that names nothing', async () => {
    // Down to b only: sum 2, tanh 2, t1 + b → b 2.
    const { stdout } = await runCli([
      'z = W*x + b; loss = sum(tanh(z))',
      '--W',
      '[1, 2; 3, 4]',
      '--x',
      '[1, -1]',
      '--b',
      '[0.5, 0.5]',
      '--mode',
      'both',
      '--wrt',
      'b',
    ])
    expect(stdout.replace(/\n {6}/g, ' ')).toContain('reverse mode: 1 backward pass for all 2 entries at once, 6 multiply-adds')
    const empty = await runCli(['x*w', '--x', '1', '--w', '2', '--wrt', ','])
    expect([empty.code, empty.stderr.split('\n')[0]]).toEqual([2, 'backprop-tutor: error: --wrt "," names nothing; give variables or nodes, as in --wrt x,w'])
  })
})

describe('--ascii on the tensor page', () => {
  it('writes the steps, the phases and the quiz in ASCII', async () => {
    const argv = ['z = W*x + b; L = sum(tanh(z))', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, -1]', '--b', '[0.5, 0, -0.5]']
    const { stdout } = await runCli([...argv, '--format', 'html', '--quiz', '--ascii'])
    const data = JSON.parse(/<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(stdout)![1]!)
    const { steps, phases, words } = data
    expect(JSON.stringify({ steps, phases, words }).match(/[^\x00-\x7f]/g)).toBeNull()
    expect(steps.find((s: { text: string }) => s.text.startsWith('dL/dW = dL/dt1*x')).entries.chains[1]).toContain('dL/dW[1, 2] = dL/dt1[1] * dt1[1]/dW[1, 2]')
  })
})
