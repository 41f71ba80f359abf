// The LaTeX notes as pdflatex sets them: every page within the margins (no overfull box: a long sum,
// product or chain of equalities is broken across lines, a long note set after its row) and nothing
// lost (each gradient's value is in the PDF's text). .ci/run installs TeX and pdftotext.
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from './helpers.js'

const NET = [
  'z1 = w11*x1 + w12*x2 + b1; h1 = tanh(z1)',
  'z2 = w21*x1 + w22*x2 + b2; h2 = relu(z2)',
  'z3 = w31*x1 + w32*x2 + b3; h3 = sigmoid(z3)',
  'o = v1*h1 + v2*h2 + v3*h3 + c; p = sigmoid(o)',
  'loss = -(y*log(p) + (1 - y)*log(1 - p))',
].join('\n')
const NET_VALUES =
  '--x1 0.5 --x2 -1 --w11 0.1 --w12 0.2 --b1 0 --w21 -0.3 --w22 0.4 --b2 0.1 --w31 0.5 --w32 -0.6 --b3 0 --v1 1 --v2 -1 --v3 0.5 --c 0 --y 1'.split(' ')
const SUM40 = Array.from({ length: 40 }, (_, k) => `x${k}*w${k}`).join(' + ')

const CASES: [string, string[]][] = [
  ['a 10-node program, every chain', ['yhat = x*w + b; loss = (yhat - y)^2 + 0.1*w^2', '--x', '1', '--w', '2', '--b', '0.5', '--y', '3', '--chains', 'all']],
  ['a 40-term sum, symbolic', [SUM40]],
  ['a 40-term sum, every chain', [SUM40, '--chains', 'all', '--precision', '3']],
  ['a 2-layer net', [NET, ...NET_VALUES, '--chains', 'all']],
  ['the mission example in both modes, explained', ['(x*w+b-y)^2', '--x', '1', '--w', '1', '--mode', 'both', '--explain']],
  // Σ(ḡ ⊙ p) in softmax's rule is the sum sign, not a function named Σ.
  [
    'softmax cross-entropy on tensors',
    ['Z = X*W1; loss = -sum(Y .* log(softmax(Z, 2)))', '--X', 'randn(4, 3)', '--W1', 'randn(3, 3)', '--Y', '[1, 0, 0; 0, 1, 0; 0, 0, 1; 1, 0, 0]'],
  ],
  ['a tensor program', ['H = tanh(X*W1 + b1); loss = mean(logsumexp(H, 2))', '--X', 'randn(8, 3)', '--W1', 'randn(3, 6)', '--b1', 'zeros(6)']],
  [
    'convolution and max-pooling',
    [
      'H = relu(conv2d(X, K) + c); P = maxpool2d(H, 2); z = sum(P*W, 1); loss = logsumexp(z) - z[2]',
      '--X',
      'randn(6, 6)',
      '--K',
      'randn(3, 3)',
      '--c',
      '0.1',
      '--W',
      'randn(2, 3) / 2',
      '--seed',
      '3',
    ],
  ],
]

// A loop: its steps are h^{(1)}, h^{(2)}, …, transposed in W's rule; its contributions are numbered in words.
CASES.push([
  'a recurrent layer over 3 steps in both modes',
  [
    "h = zeros(2, 1)\nfor t = 1:3\n  h = tanh(W*h + U*X[t, :]' + b)\nend\nloss = sum(h .* h)",
    ...['--W', '[0.5, -0.2; 0.1, 0.3]', '--U', '[1, 0; 0.5, 1]', '--X', '[1, 2; 0, 1; -1, 0.5]', '--b', '[0; 0.1]', '--mode', 'both', '--precision', '4'],
  ],
])

// Every chain of the recurrent layer: long paths of arrows and rules, broken inside the margins.
CASES.push([
  'a recurrent layer over 3 steps, every chain',
  [
    "h = zeros(2, 1)\nfor t = 1:3\n  h = tanh(W*h + U*X[t, :]' + b)\nend\nloss = sum(h .* h)",
    ...['--W', '[0.5, -0.2; 0.1, 0.3]', '--U', '[1, 0; 0.5, 1]', '--X', '[1, 2; 0, 1; -1, 0.5]', '--b', '[0; 0.1]', '--chains', 'all', '--precision', '4'],
  ],
])

// A strided, padded convolution: its rules' words name ḡ and gradients, its shapes are a chain of steps.
CASES.push([
  'a strided and padded convolution in both modes, every chain',
  ['Y = conv2d(X, K, 2, 1); L = sum(Y .* Y)', '--X', 'randn(5, 6)', '--K', 'randn(3, 2)', '--mode', 'both', '--chains', 'all'],
])

// A warning is set on the page, not left in a % comment.
CASES.push(['a warning at a kink', ['relu(x)*2 + x/y', '--x', '0', '--y', '0']])

describe('pdflatex', () => {
  it.each(CASES)('sets %s within the margins, with every gradient in the text', async (_, args) => {
    const work = mkdtempSync(join(tmpdir(), 'bpt-latex-'))
    const { code, stdout } = await runCli([...args, '--format', 'latex', '--standalone'])
    expect(code).toBe(0)
    writeFileSync(join(work, 'note.tex'), stdout)
    const tex = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'note.tex'], { cwd: work, encoding: 'utf8' })
    expect(tex.status).toBe(0)
    expect(readFileSync(join(work, 'note.log'), 'utf8').match(/Overfull \\hbox.*/g)).toBeNull()
    const text = spawnSync('pdftotext', ['-layout', join(work, 'note.pdf'), '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ')
    // The last section is there, and each gradient's value (or the output's, for tensors) as the note writes it: nothing ran off the page.
    expect(text).toContain('Gradients')
    if (stdout.includes('\\paragraph{Warnings}')) expect(text).toContain('relu is not differentiable at 0')
    const at = args.indexOf('--precision')
    const digits = at >= 0 ? Number(args[at + 1]) : args.some((a) => a.startsWith('randn(')) ? 4 : 6
    const json = JSON.parse((await runCli([...args.filter((a) => !['--explain', '--mode', 'both'].includes(a)), '--format', 'json'])).stdout)
    const numbers = [json.value, ...Object.values(json.gradients as Record<string, unknown>)].filter((g): g is number => typeof g === 'number')
    for (const g of numbers) expect(text).toContain(Number(g.toPrecision(digits)).toString().replace('-', '−'))
  })
})
