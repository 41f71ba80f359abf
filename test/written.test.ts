// check --trace: a student's own written trace, read line by line (Markdown, LaTeX, plain text)
// and judged, each claim marked on the line where it was written.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'
import { runCli } from './helpers.js'
import { readWritten, syntaxOf, type Names } from '../src/modes/written/read.js'

const P1 = 'yhat = x*w + b; loss = (yhat - y)^2'
const AT = ['--x', '2', '--w', '3', '--b', '1', '--y', '4']
const corpus = (name: string) => readFileSync(new URL(`./written/${name}`, import.meta.url), 'utf8')

interface Entry {
  line: number
  text: string
  reads: string | null
  verdict: string
  first_slip: boolean
  why: string
}

async function checked(program: string, values: string[], name: string, content = corpus(name)) {
  const result = await runCli(['check', program, ...values, '--trace', name, '--format', 'json'], { files: { [name]: content } })
  expect(result.stderr).toBe('')
  return { code: result.code, claims: (JSON.parse(result.stdout) as { claims: Entry[] }).claims }
}

/** Each claim as [line, verdict, first slip]. */
const marks = (claims: Entry[]) => claims.map((c) => [c.line, c.verdict, c.first_slip])

describe('a corpus of written traces, each slip marked where it was made', () => {
  it('reads Markdown: $$ lines, ```math, inline $…$; skips prose, code and forward values', async () => {
    const { code, claims } = await checked(P1, AT, 'slips.md')
    expect(code).toBe(3)
    expect(marks(claims)).toEqual([
      [7, 'right', false],
      [7, 'right', false],
      [7, 'right', false],
      [7, 'right', false],
      [11, 'right', false],
      [12, 'wrong', true],
      [13, 'right', false],
      [13, 'right', false],
      [14, 'wrong', true],
      [17, 'wrong', true],
      [20, 'unreadable', false],
    ])
    expect(claims.map((c) => c.reads)).toEqual([
      'd (yhat - y)^2 / d (yhat - y) = 2*(yhat - y)',
      'd (yhat - y)^2 / d (yhat - y) = 6',
      'd (x*w) / d x = w',
      'd (x*w) / d x = 3',
      'd loss / d yhat = 2*(yhat - y)',
      'd loss / d x = 3',
      'd loss / d b = (d loss / d yhat)*(d yhat / d b)',
      'd loss / d b = 6',
      'd loss / d x = (d loss / d yhat)*(d yhat / d w)',
      'd x / d loss = 18',
      'd loss / d z = 1',
    ])
    // A local derivative written for the gradient: the teacher's reason, with its formula.
    expect(claims[5]!.why).toContain('3 is the local derivative ∂(x·w)/∂x = w, not ∂loss/∂x')
    expect(claims[5]!.why).toMatch(/^∂loss\/∂x is 18, not 3\./)
    // A chain that ends at the wrong variable is wrong whatever its numbers.
    expect(claims[8]!.why).toContain('Your chain ends with ∂yhat/∂w, so it runs down to w: it is ∂loss/∂w, not ∂loss/∂x.')
    expect(claims[9]!.why).toContain('upside down')
    expect(claims[10]!.why).toContain('z is not a node of the program; did you mean')
    expect(claims[5]!.text).toBe('\\frac{\\partial \\text{loss}}{\\partial x} = 3')
  })

  it('reads LaTeX: align rows, \\( \\), $ $; skips % comments; a later line right from the slip is consistent', async () => {
    const { claims } = await checked(P1, AT, 'seed.tex')
    expect(marks(claims)).toEqual([
      [5, 'wrong', true],
      [6, 'consistent', false],
      [6, 'consistent', false],
      [7, 'consistent', false],
      [7, 'wrong', true],
      [9, 'wrong', true],
      [9, 'right', false],
    ])
    expect(claims[0]!.why).toContain('The seed: the backward pass starts at ∂loss/∂loss = 1')
    expect(claims[1]!.why).toBe(
      '∂loss/∂yhat is 6, not 2*2*(yhat - y) = 12. First departure: ∂loss/∂loss (line 5), which should be 1. Your steps after it are right: your loss seed 2 times the local derivatives from loss down to yhat (6) = 2 · 6 = 12.',
    )
    // The seed's slip carried down: 2 times the local derivatives' product, never 2 · ∂loss/∂w (which holds the seed already).
    expect(claims[4]!.why).toContain('Even from your 2 there, your loss seed 2 times the local derivatives from loss down to w (12) = 2 · 12 = 24')
    expect(claims[6]!.reads).toBe('d (x*w) / d w = x')
  })

  it('reads plain text with CRLF: several claims a line, a fan-out, a formula right here only', async () => {
    const { claims } = await checked('L = x*y + x', ['--x', '3', '--y', '4'], 'fanout.txt')
    expect(marks(claims)).toEqual([
      [2, 'wrong', true],
      [3, 'right', false],
      [3, 'right', false],
      [4, 'right', false],
      [6, 'wrong', true],
      [7, 'unreadable', false],
    ])
    // Every moved variable is shown: what both numbers depend on.
    expect(claims[4]!.why).toBe('∂L/∂x is not x + 2: right value here, wrong formula: at x = 4.75, y = 6.625 yours gives 6.75, the right one gives 7.625.')
    expect(claims[0]!.why).toContain('Your number leaves out ∂L/∂L · ∂(t1 + x)/∂x: x feeds L, t1, so its gradient sums both contributions (1 + 4).')
  })

  it('reads a tanh unit: a wrong local, a slip below a right gradient, a value written for its derivative, a sign', async () => {
    const { claims } = await checked('z = w*x + b; a = tanh(z); L = (a - t)^2', ['--w', '0.5', '--x', '2', '--b', '0', '--t', '1'], 'kinds.txt')
    expect(marks(claims)).toEqual([
      [3, 'wrong', true],
      [4, 'right', false],
      [5, 'wrong', true],
      [6, 'wrong', true],
      [7, 'wrong', true],
      [7, 'right', false],
    ])
    expect(claims[0]!.why).toBe('∂(w·x)/∂x is 0.5, not x = 2. ∂(w·x)/∂x = w (product rule) = 0.5.')
    // The student's own right gradient above is where the comparison starts, never "none of your claims".
    expect(claims[2]!.why).toContain('Your ∂L/∂a = -0.476812 is right; compare your steps below it with the true ones, from a down: ∂L/∂z = -0.200249')
    expect(claims.map((c) => c.why).join(' ')).not.toContain('None of your claims')
    expect(claims[3]!.why).toContain('the value of a (0.761594) written for its derivative ∂tanh(z)/∂z')
    expect(claims[4]!.why).toContain('the right size and the wrong sign')
    expect(claims[4]!.reads).toBe('d L / d x = -(2*(a - t)*(1 - a^2)*w)')
    expect(claims[2]!.reads).toBe('d L / d w = -0.5')
  })

  it('marks a repeated slip as the same slip, not a new one, and an explained chain as consistent', async () => {
    const text = [
      '$\\frac{\\partial loss}{\\partial \\hat{y}} = 6$',
      '$\\frac{\\partial \\hat{y}}{\\partial w} = 3$',
      '$\\frac{\\partial loss}{\\partial w} = 18$',
      '$\\frac{\\partial \\hat{y}}{\\partial w} = 3$',
    ].join('\n')
    const { claims } = await checked(P1, AT, 'again.md', text)
    expect(marks(claims)).toEqual([
      [1, 'right', false],
      [2, 'wrong', true],
      [3, 'consistent', false],
      [4, 'wrong', false],
    ])
    expect(claims[2]!.why).toContain('The chain rule is right; the slip is in line 2')
    expect(claims[3]!.why).toMatch(/^The same slip as line 2\./)
  })
})

describe('judging what students write', () => {
  const Z = 'z = w*x + b; a = tanh(z); L = (a - t)^2'
  const ZAT = ['--w', '0.5', '--x', '2', '--b', '0', '--t', '1']

  it('judges a formula with the trace’s numbers put in by its number, and one of names as a formula', async () => {
    const { claims } = await checked(Z, ZAT, 'n.md', '$\\frac{\\partial L}{\\partial w} = -0.200249 \\cdot x$\n$\\frac{\\partial L}{\\partial w} = -0.2 x$\n')
    expect(marks(claims)).toEqual([
      [1, 'right', false],
      [2, 'right', false],
    ])
  })

  it('reads d/dx of an expression that uses x twice as the total derivative, and a named input as held fixed', async () => {
    const { claims } = await checked('f = x*exp(x)', ['--x', '1'], 'n.md', '$\\frac{d}{dx}\\left(x \\exp(x)\\right) = (1 + x) e^{x}$')
    expect(marks(claims)).toEqual([[1, 'right', false]])
    const named = await checked('t = exp(x); f = x*t', ['--x', '1'], 'n.md', '$\\frac{\\partial (x t)}{\\partial x} = t$')
    expect(marks(named.claims)).toEqual([[1, 'right', false]])
  })

  it('accepts a chain written in any order of its factors', async () => {
    const { claims } = await checked(
      Z,
      ZAT,
      'n.md',
      '$\\frac{\\partial L}{\\partial w} = \\frac{\\partial z}{\\partial w} \\cdot \\frac{\\partial L}{\\partial z}$',
    )
    expect(marks(claims)).toEqual([[1, 'right', false]])
  })

  it('accepts a chain that skips a link worth exactly 1, and refuses one that skips more', async () => {
    const { claims } = await checked(
      Z,
      ZAT,
      'n.md',
      '$\\frac{\\partial L}{\\partial b} = \\frac{\\partial L}{\\partial z}$\n$\\frac{\\partial L}{\\partial w} = \\frac{\\partial L}{\\partial z}$\n',
    )
    expect(marks(claims)).toEqual([
      [1, 'right', false],
      [2, 'wrong', true],
    ])
    expect(claims[1]!.why).toContain('so it runs down to z: it is ∂L/∂z, not ∂L/∂w.')
  })

  it('calls the numbers of a chain worked out with an earlier slip consistent, naming the slipped factor', async () => {
    const text = [
      '- $\\frac{\\partial L}{\\partial a} = 2(a - t)$',
      '- $\\frac{\\partial a}{\\partial z} = a$, $\\frac{\\partial z}{\\partial w} = x$',
      '$$\\frac{\\partial L}{\\partial w} = \\frac{\\partial L}{\\partial a} \\cdot \\frac{\\partial a}{\\partial z} \\cdot \\frac{\\partial z}{\\partial w}$$',
      '$$= -0.476812 \\cdot 0.761594 \\cdot 2$$',
      '$$\\frac{\\partial L}{\\partial z} = -0.476812 \\cdot 0.761594$$',
    ].join('\n')
    const { claims } = await checked(Z, ZAT, 'n.md', text)
    expect(marks(claims)).toEqual([
      [1, 'right', false],
      [2, 'wrong', true],
      [2, 'right', false],
      [3, 'right', false],
      [4, 'consistent', false],
      [5, 'consistent', false],
    ])
    expect(claims[4]!.why).toContain('Your number is your chain of line 3 with your own values of its factors: (-0.476812) · 0.761594 · 2.')
    expect(claims[4]!.why).toContain('the slip is in line 2: ∂tanh(z)/∂z is 0.419974, not 0.761594.')
    expect(claims[5]!.why).toContain('The chain rule is right; the slip is in line 2')
  })

  it('matches e^u with exp(u), however the program writes it', async () => {
    const { claims } = await checked('L = 1/(1 + exp(-s))', ['--s', '0.5'], 'n.md', '$\\frac{\\partial (1 + e^{-s})}{\\partial s} = -e^{-s}$')
    expect(marks(claims)).toEqual([[1, 'right', false]])
  })
})

describe('what a review found: nothing lost, nothing hung, lines true', () => {
  const names: Names = {
    known: new Set(['x', 'w', 'b', 'y', 'yhat', 'loss', 't1', 't2']),
    functions: new Set(['sqrt']),
    variables: ['x', 'w', 'b', 'y'],
    output: 'loss',
  }
  const reads = (text: string, syntax: 'markdown' | 'latex' | 'plain' = 'plain') =>
    readWritten(text, syntax, names).map((c) => [c.line, c.reads ?? `? ${c.unreadable}`])

  it('never drops a claim for the prose beside it or before it', () => {
    expect(reads('dloss/dw = 5, so w should go down')).toEqual([[1, 'd loss / d w = 5']])
    expect(reads('Then dloss/dw = 5')).toEqual([[1, 'd loss / d w = 5']])
    expect(reads('\\frac{\\partial loss}{\\partial w} = 5 \\text{ (by the chain rule)}')).toEqual([[1, 'd loss / d w = 5']])
  })

  it('reads derivatives side by side before a value as one product', () => {
    expect(reads('\\frac{∂loss}{∂x} = \\frac{∂loss}{∂yhat}\\frac{∂yhat}{∂x} = 4 \\cdot 2 = 8')).toEqual([
      [1, 'd loss / d x = (d loss / d yhat)*(d yhat / d x)'],
      [1, 'd loss / d x = 4*2'],
      [1, 'd loss / d x = 8'],
    ])
  })

  it('refuses \\sqrt[ with no ] instead of reading for ever', () => {
    expect(reads('a\\sqrt[3 \\frac{\\partial loss}{\\partial w} = 4')).toEqual([[1, '? \\sqrt[ has no ]: write \\sqrt[3]{x}']])
  })

  it('numbers LaTeX rows by their own line, whatever ends the row before', () => {
    const tex =
      '\\begin{align*}\n\\frac{\\partial loss}{\\partial w} &= 4 \\\\[10pt]\n\\frac{\\partial loss}{\\partial b} &= 2 \\\\\n\\frac{\\partial loss}{\\partial x} &= 6\n\\end{align*}'
    expect(reads(tex, 'latex')).toEqual([
      [2, 'd loss / d w = 4'],
      [3, 'd loss / d b = 2'],
      [4, 'd loss / d x = 6'],
    ])
  })

  it('takes an update step under a gradient for what it is, not more steps of the gradient', () => {
    expect(reads('$$\\frac{\\partial loss}{\\partial w} = 4$$\n$$w - 0.01 \\cdot 4 \\approx 0.96$$', 'markdown')).toEqual([[1, 'd loss / d w = 4']])
  })

  it('splits a short word into the program’s names, never a long one (the search is cubic in its length)', () => {
    expect(reads('dloss/dw = xwxw')).toEqual([[1, 'd loss / d w = x*w*x*w']])
    const long = 'xw'.repeat(13)
    expect(reads(`dloss/dw = ${long}`)).toEqual([[1, `d loss / d w = ${long}`]])
  })

  it('reads $…$ in a .txt file as maths', () => {
    expect(reads('my answer: $\\frac{\\partial loss}{\\partial w} = 4$')).toEqual([[1, 'd loss / d w = 4']])
  })
})

describe('what a second student pass found', () => {
  const names: Names = {
    known: new Set(['x', 'w', 'b', 'y', 'yhat', 'loss', 'w1', 'z']),
    functions: new Set(['sqrt', 'sigmoid', 'tanh']),
    variables: ['x'],
    output: 'loss',
  }
  const reads = (text: string, syntax: 'markdown' | 'latex' | 'plain' = 'plain') =>
    readWritten(text, syntax, names).map((c) => [c.line, c.reads ?? `? ${c.unreadable}`])

  it('never takes a number in a sentence, or one far below, for a value of the equation above', () => {
    expect(reads('$$\\frac{\\partial loss}{\\partial w} = 12$$\n\nIt took me $20$ minutes.', 'markdown')).toEqual([[1, 'd loss / d w = 12']])
    expect(reads('We want $\\frac{\\partial loss}{\\partial w}$ first.\n## Next\nThere are $3$ inputs.', 'markdown')).toEqual([])
    expect(reads('$$\\frac{\\partial loss}{\\partial w}$$\n\n\n\n$$12$$', 'markdown')).toEqual([])
  })

  it('reads claims labelled (a), b), Q3. and (iv)', () => {
    expect(reads('(a) dloss/dw = 5\nb) dloss/db = 5\nQ3. dloss/dx = 5\n(iv) dloss/dy = 5').map(([, r]) => r)).toEqual([
      'd loss / d w = 5',
      'd loss / d b = 5',
      'd loss / d x = 5',
      'd loss / d y = 5',
    ])
  })

  it("reads σ'(z) as sigmoid's own derivative, f'(4) as at the point, √ and w₁", () => {
    expect(reads("\\sigma'(z) = 0.25")).toEqual([[1, 'd (sigmoid(z)) / d z = 0.25']])
    expect(reads("f'(4) = 0.8")).toEqual([[1, 'd loss / d x = 0.8']])
    expect(reads('d√z/dz = 1/(2√z)')).toEqual([[1, 'd (sqrt(z)) / d z = 1 /(2*sqrt(z))']])
    expect(reads('∂loss/∂w₁ = 3')).toEqual([[1, 'd loss / d w1 = 3']])
  })

  it('skips an update (:=, ←) and calls a derivative taken at a point of its own unreadable, with why', () => {
    expect(reads('w := w - \\eta\\, \\partial loss / \\partial w = 1.8 - 0.16 = 1.64')).toEqual([])
    expect(reads('\\frac{\\partial loss}{\\partial w}\\Big|_{w = 1.8} = 1.6')).toEqual([
      [1, '? it is taken at w = 1.8, and the trace is at the values on the command line: check it there with those values'],
    ])
    expect(reads('\\left.\\frac{\\partial loss}{\\partial w}\\right|_{x} = 4')).toEqual([[1, 'd loss / d w = 4']])
    expect(reads('\\frac{\\partial loss}{\\partial w} = 4 \\Rightarrow \\frac{\\partial loss}{\\partial b} = 2 \\checkmark')).toEqual([
      [1, 'd loss / d w = 4'],
      [1, 'd loss / d b = 2'],
    ])
  })

  it('puts the notes of a claim in a Markdown table after the table', async () => {
    const table = [
      '| step | value |',
      '| --- | --- |',
      '| $\\frac{\\partial loss}{\\partial w} = 12$ | ok |',
      '| $\\frac{\\partial loss}{\\partial b} = 7$ | ? |',
      '',
      'done',
    ].join('\n')
    const result = await runCli(['check', P1, ...AT, '--trace', 't.md', '--annotate'], { files: { 't.md': table } })
    const lines = result.stdout.split('\n')
    expect(lines.slice(0, 4)).toEqual(table.split('\n').slice(0, 4))
    expect(lines[4]).toMatch(/^> - \*\*backprop-tutor:\*\* Where: /)
  })

  it('says "your earlier step on this line" of a right step before a wrong one', async () => {
    const { claims } = await checked(P1, AT, 's.md', '$\\frac{\\partial loss}{\\partial w} = 12 = 13$')
    expect(claims[1]!.why).toContain('Your earlier step on this line has it right: ∂loss/∂w = 12.')
  })
})

describe('the forms students write', () => {
  const names: Names = {
    known: new Set(['x', 'w', 'b', 'y', 'yhat', 'loss', 'w1', 't1', 't2']),
    functions: new Set(['sin', 'exp', 'log', 'max', 'sqrt', 'tanh', 'sigmoid']),
    variables: ['x', 'w', 'b', 'y', 'w1'],
    output: 'loss',
  }
  const reads = (line: string, syntax: 'markdown' | 'latex' | 'plain' = 'plain') => readWritten(line, syntax, names).map((c) => c.reads ?? `? ${c.unreadable}`)

  it.each([
    ['\\frac{\\partial loss}{\\partial x} = 2', 'd loss / d x = 2'],
    ['\\dfrac{\\partial \\text{loss}}{\\partial \\hat{y}} = 2', 'd loss / d yhat = 2'],
    ['\\partial loss / \\partial x = 2', 'd loss / d x = 2'],
    ['∂loss/∂x = 2', 'd loss / d x = 2'],
    ['dloss/dx = 2', 'd loss / d x = 2'],
    ['d loss / d x = 2', 'd loss / d x = 2'],
    ['d(x*w)/dx = w', 'd (x*w) / d x = w'],
    ['\\frac{d}{dx}(x w) = w', 'd (x*w) / d x = w'],
    ['\\frac{d}{dx}\\left( xw \\right) = w', 'd (x*w) / d x = w'],
    ['\\frac{\\partial (\\hat{y} - y)^2}{\\partial (\\hat{y} - y)} = 2(\\hat{y} - y)', 'd (yhat - y)^2 / d (yhat - y) = 2*(yhat - y)'],
    ['\\frac{\\partial loss}{\\partial xw+b} = 2', 'd loss / d (x*w + b) = 2'],
    ['\\frac{\\partial L}{\\partial w_1} = 3', 'd L / d w1 = 3'],
    ['\\frac{\\partial loss}{\\partial w} = 2 \\cdot x \\times 1', 'd loss / d w = 2*x*1'],
    ['∂loss/∂w = 2·(ŷ − y)·x', 'd loss / d w = 2*(yhat - y)*x'],
    ['\\frac{\\partial loss}{\\partial x} = \\sqrt{4} e^{0} \\ln(1)', 'd loss / d x = sqrt(4)*e^0*log(1)'],
  ])('%s reads as %s', (written, expected) => {
    expect(reads(written)).toEqual([expected])
  })

  it.each([
    ['df/dx = 2\\,x', 'd f / d x = 2*x'],
    ['\\frac{\\partial L}{\\partial w} = \\frac{\\partial L}{\\partial z}\\frac{\\partial z}{\\partial w}', 'd L / d w = (d L / d z)*(d z / d w)'],
    ['dL/db = dL/dz*dz/db + dL/dw*dw/db', 'd L / d b = (d L / d z)*(d z / d b) + (d L / d w)*(d w / d b)'],
    ['local: ∂L/∂z = 2', 'd L / d z = 2'],
    ['dL/dx = 5 (since w = 5)', 'd L / d x = 5'],
    ['\\frac{\\partial L}{\\partial z} = 2\\tanh^2(z)', 'd L / d z = 2*(tanh(z))^2'],
    ['\\frac{\\partial L}{\\partial x} = x\\exp(x)', 'd L / d x = x*exp(x)'],
    ['\\frac{d}{dx}\\exp(x) = e^x', 'd (exp(x)) / d x = e^x'],
    ['\\frac{d}{dz} e^{-z} = 1', 'd (e^(-z)) / d z = 1'],
  ])('%s reads as %s (as students write it)', (written, expected) => {
    const more: Names = { ...names, known: new Set([...names.known, 'z', 'L']), functions: new Set([...names.functions, 'exp', 'tanh']) }
    expect(readWritten(written, 'plain', more).map((c) => c.reads ?? `? ${c.unreadable}`)).toEqual([expected])
  })

  it('reads a product with · as a product, not as a new claim', () => {
    expect(reads('∂loss/∂w = ∂loss/∂yhat · ∂yhat/∂w = 5 · 1 = 5')).toEqual([
      'd loss / d w = (d loss / d yhat)*(d yhat / d w)',
      'd loss / d w = 5*1',
      'd loss / d w = 5',
    ])
  })

  it('gives a derivative alone on its line, or ending in =, its value from the next line; an align row &= continues', () => {
    expect(reads('$$\n\\frac{\\partial loss}{\\partial w}\n= 5\n$$', 'markdown')).toEqual(['d loss / d w = 5'])
    expect(reads('$$\\frac{\\partial loss}{\\partial w} =$$\n$$5$$', 'markdown')).toEqual(['d loss / d w = 5'])
    expect(reads('\\begin{align*}\n\\frac{\\partial loss}{\\partial w} &= 2 \\times x \\\\\n&= 4\n\\end{align*}', 'latex')).toEqual([
      'd loss / d w = 2*x',
      'd loss / d w = 4',
    ])
    // A heading is not a value of the equation above it.
    expect(reads('dloss/dw = 4\nBackward:\nGradients:')).toEqual(['d loss / d w = 4'])
  })

  it('splits claims at \\quad, commas and a new derivative after a value; each step of a chain is a claim', () => {
    expect(reads('\\frac{∂loss}{∂x} = 1 \\quad \\frac{∂loss}{∂w} = 2, ∂loss/∂b = 3')).toEqual(['d loss / d x = 1', 'd loss / d w = 2', 'd loss / d b = 3'])
    expect(reads('\\frac{∂loss}{∂x} = 1 \\frac{∂loss}{∂w} = 2')).toEqual(['d loss / d x = 1', 'd loss / d w = 2'])
    expect(reads('\\frac{∂loss}{∂x} = 2(1) \\approx 2 = 2.0')).toEqual(['d loss / d x = 2*(1)', 'd loss / d x = 2', 'd loss / d x = 2.0'])
  })

  it('continues the equation above with a line of numbers, not with a forward value or one on the same line', () => {
    expect(reads('$$\\frac{∂loss}{∂x} = a$$\n\n$$2 \\cdot 2(1) \\approx 4$$\n$$= 5$$', 'markdown')).toEqual([
      'd loss / d x = a',
      'd loss / d x = 2*2*(1)',
      'd loss / d x = 4',
      'd loss / d x = 5',
    ])
    expect(reads('$$\\frac{∂loss}{∂x} = 2$$\n$$\\hat{y} = xw + b$$', 'markdown')).toEqual(['d loss / d x = 2'])
    expect(reads('$\\frac{∂loss}{∂x} = 2$ and $4$', 'markdown')).toEqual(['d loss / d x = 2'])
  })

  it("reads a prime as the output's derivative in a program of one variable", () => {
    const one: Names = { known: new Set(['x', 'L']), functions: new Set(['sin']), variables: ['x'], output: 'L' }
    expect(readWritten("f'(x) = 2\\sin(x)", 'plain', one).map((c) => c.reads)).toEqual(['d L / d x = 2*sin(x)'])
    expect(readWritten("L' = 2", 'plain', one).map((c) => c.reads)).toEqual(['d L / d x = 2'])
  })

  it('calls a derivative it cannot read unreadable, with why, and skips prose', () => {
    expect(reads('\\frac{\\partial loss}{\\partial x} = 1 + \\cdots')).toEqual(['? an elided … cannot be checked: write every factor'])
    expect(reads('\\frac{\\partial loss}{\\partial x} = \\foo{2}')).toEqual(['? \\foo is not something a derivative is written with here'])
    expect(reads('∂(xw)/∂w = x at x = w = 1. A tutor shows these steps, right.')).toEqual([])
    expect(reads('Forward pass: yhat = x w + b')).toEqual([])
  })

  it('tells the syntax by the extension, then by the content', () => {
    expect(syntaxOf('a.md', '')).toBe('markdown')
    expect(syntaxOf('a.tex', '')).toBe('latex')
    expect(syntaxOf('a.txt', '$x$')).toBe('plain')
    expect(syntaxOf('notes', '\\begin{align*} x \\end{align*}')).toBe('latex')
    expect(syntaxOf('notes', 'so $\\frac{a}{b} = 1$')).toBe('markdown')
    expect(syntaxOf('-', 'dL/dx = 1')).toBe('plain')
  })
})

describe('--annotate: the student’s own file, a note after each claim line', () => {
  /** The notes taken out: each is a line break and one line (in Markdown, the comment that closes their quote too). */
  const strip = (annotated: string, prefix: string) => annotated.replace(new RegExp(`(?:\\r\\n|\\n|\\r)(?:${prefix}|>$)[^\\r\\n]*`, 'gm'), '')

  it.each([
    ['slips.md', P1, AT, '> - \\*\\*backprop-tutor:\\*\\* '],
    ['seed.tex', P1, AT, '% backprop-tutor: '],
    ['fanout.txt', 'L = x*y + x', ['--x', '3', '--y', '4'], '# backprop-tutor: '],
  ])('%s comes back byte for byte once the notes are taken out', async (name, program, values, prefix) => {
    const source = corpus(name)
    const result = await runCli(['check', program, ...values, '--trace', name, '--annotate', '-o', 'marked'], { files: { [name]: source } })
    expect(result.code).toBe(3)
    const annotated = result.written.marked!
    const notes = annotated.split(/\r\n|\n|\r/).filter((l) => new RegExp(`^${prefix}`).test(l))
    const { claims } = await checked(program, values, name)
    // One note per claim, and one first that says what the tool's names (t1, t2) stand for.
    expect(notes).toHaveLength(claims.length + 1)
    expect(notes[0]).toMatch(/Where: t1 = /)
    expect(strip(annotated, prefix)).toBe(source)
    expect(notes[1]).toMatch(/[✓✗≈?] line \d+, /)
  })

  it('puts the notes of a ```math block after its closing fence, and keeps a LaTeX file compiling (notes are % comments)', async () => {
    const result = await runCli(['check', P1, ...AT, '--trace', 'slips.md', '--annotate'], { files: { 'slips.md': corpus('slips.md') } })
    const lines = result.stdout.split('\n')
    const fence = lines.indexOf('```math')
    expect(lines[fence + 2]).toBe('```')
    expect(lines[fence + 3]).toMatch(/^> - \*\*backprop-tutor:\*\* ✗ line 17, d x \/ d loss = 18: /)
  })
})

describe('--annotate in Markdown, as a GFM renderer shows it', () => {
  it('shows each note in a quote of its own, and the student’s next line outside it', async () => {
    const source = '$$\\frac{\\partial loss}{\\partial x} = 3$$\nso the step above is done.\n\n$\\frac{\\partial loss}{\\partial w} = 12$\n'
    const result = await runCli(['check', P1, ...AT, '--trace', 'n.md', '--annotate'], { files: { 'n.md': source } })
    const html = micromark(result.stdout, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] })
    const quotes = [...html.matchAll(/<blockquote>([\s\S]*?)<\/blockquote>/g)].map((m) => m[1]!)
    expect(quotes).toHaveLength(2)
    expect(quotes[0]).toContain('✗ line 1, d loss / d x = 3: ∂loss/∂x is 18, not 3.')
    expect(quotes[1]).toContain('✓ line 4, d loss / d w = 12')
    expect(quotes.join('')).not.toContain('so the step above is done')
    expect(html).toMatch(/<p>so the step above is done\.<\/p>/)
  })
})

describe('bad input: one line and an exit code', () => {
  const run = (args: string[], files: Record<string, string>) => runCli(['check', P1, ...AT, ...args], { files })

  it.each([
    [['--trace', 'e.md'], { 'e.md': '  \n' }, 1, 'e.md is empty'],
    [['--trace', 'p.md'], { 'p.md': '# Notes\n\nOnly prose here, and $\\hat{y} = xw + b$.\n' }, 1, 'no claims found in p.md'],
    [['--trace', 'missing.md'], {}, 2, 'cannot read missing.md: no such file'],
    [['--annotate'], {}, 2, '--annotate goes with --trace FILE'],
    [['--trace', 'a.md', '--claim', 'dL/dx = 1'], { 'a.md': '$∂loss/∂x = 1$' }, 2, 'either as --trace FILE or as --claim/--claims'],
    [['--trace', 'a.md', '--annotate', '--format', 'json'], { 'a.md': '$∂loss/∂x = 1$' }, 2, 'leave out --format json'],
  ])('%j', async (args, files, code, message) => {
    const result = await run(args as string[], files as Record<string, string>)
    expect(result.code).toBe(code)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(message)
    expect(result.stderr.match(/backprop-tutor: error:/g)).toHaveLength(1)
  })

  it('reads the trace from stdin when the program comes from --file', async () => {
    const result = await runCli(['check', '--file', 'p.txt', ...AT, '--trace', '-'], {
      files: { 'p.txt': P1 },
      stdin: '$\\frac{\\partial loss}{\\partial w} = 12$',
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Trace    stdin (markdown)')
  })

  it('exits 0 when every claim is right', async () => {
    const result = await run(['--trace', 'ok.md'], { 'ok.md': '$\\frac{\\partial loss}{\\partial w} = 12$' })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('✓ line 1: \\frac{\\partial loss}{\\partial w} = 12')
  })
})

describe('the reference trace, exactly as transcribed', () => {
  it('finds every derivative line and marks each slip where it was made, nothing right marked wrong', async () => {
    const source = readFileSync(new URL('../examples/handwritten-trace.md', import.meta.url), 'utf8')
    const { claims } = await checked(P1, ['--x', '1', '--w', '1', '--b', '0', '--y', '0'], 'handwritten-trace.md', source)
    expect([...new Set(claims.map((c) => c.line))]).toEqual([26, 34, 36, 41, 43, 45, 47, 49, 51])
    const firsts = claims.filter((c) => c.first_slip)
    expect(firsts.map((c) => [c.line, c.reads])).toEqual([
      [26, 'd loss / d x = 1'],
      [26, 'd loss / d w = 1'],
      [36, 'd loss / d (yhat - y)^2 = 2*(yhat - y)^2'],
      [49, 'd loss / d (x*w + b) = (d loss / d (yhat - y)^2)*(d (yhat - y)^2 / d (yhat - y))*(d (yhat - y) / d yhat)*(d yhat / d (x*w + b))*(d (x*w) / d x)'],
    ])
    expect(firsts[0]!.why).toContain('1 is the local derivative ∂(x·w)/∂x = w, not ∂loss/∂x')
    expect(firsts[2]!.why).toMatch(/^∂loss\/∂loss is 1, not 2\*\(yhat - y\)\^2 = 2\. The seed/)
    expect(firsts[3]!.why).toContain('it is ∂loss/∂x, not ∂loss/∂yhat')
    // What follows the seed's slip is consistent with it; what the student got right is right.
    for (const c of claims.filter((c) => [43, 47, 51].includes(c.line))) expect(c.verdict).toBe('consistent')
    for (const c of claims.filter((c) => c.verdict === 'wrong' && !c.first_slip)) expect(c.why).toMatch(/^The same slip as (line 26|before on this line)\./)
    expect(claims.filter((c) => c.verdict === 'right').map((c) => c.line)).toEqual([26, 26, 34, 34, 41, 45, 45])
  })
})
