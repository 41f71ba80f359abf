// --format html in a real browser: Debian's headless Chromium driven by playwright-core, the page
// opened from file:// as a reader opens it. (.ci/run installs chromium where it is missing.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { PNG } from 'pngjs'
import pixelmatch from 'pixelmatch'
import { runCli, json } from './helpers.js'
import { formatNumber } from '../src/format.js'

const CHROMIUM = '/usr/bin/chromium'
const MISSION = ['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2']
const dir = mkdtempSync(join(tmpdir(), 'backprop-tutor-html-'))
let browser: Browser

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--font-render-hinting=none'] })
})
afterAll(async () => browser?.close())

/** Writes the page for argv and opens it at `fragment`, recording every request it makes. */
async function open(argv: string[], fragment = '', files: Record<string, string> = {}) {
  const file = join(dir, `page-${Math.random().toString(36).slice(2)}.html`)
  const { code, written, stderr } = await runCli([...argv, '--format', 'html', '-o', file], { files })
  expect(stderr).toBe('')
  expect(code).toBe(0)
  writeFileSync(file, written[file]!)
  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  const requests: string[] = []
  const errors: string[] = []
  page.on('request', (request) => void requests.push(request.url()))
  page.on('pageerror', (error) => void errors.push(String(error)))
  const url = pathToFileURL(file).href
  await page.goto(url + fragment)
  return { page, requests, errors, url, text: written[file]! }
}

const counter = (page: Page) => page.textContent('#counter')
const current = (page: Page) => page.textContent('#current')
const classes = (page: Page, id: string) => page.getAttribute(`[id="${id}"]`, 'class')

describe('--format html', () => {
  it('is one small file that makes no request when opened', async () => {
    const { page, requests, errors, url, text } = await open(MISSION)
    expect(text.length).toBeLessThan(300 * 1024)
    expect(text).not.toMatch(/<(script|link|img)[^>]+(src|href)=/)
    expect(requests).toEqual([url])
    expect(errors).toEqual([])
    expect(await counter(page)).toBe('step 1 of 27')
    await page.close()
  })

  it('steps with the keyboard, outlining the edge and both nodes of each backward row', async () => {
    const { page } = await open(MISSION)
    const trace = json(MISSION[0]!, { x: 1, w: 1, b: 0, y: 2 })
    const index = (label: string) => trace.nodes.findIndex((n) => n.label === label)
    const edge = trace.edges.findIndex((e) => e.from === 't3' && e.to === 'L')
    await page.keyboard.press('End')
    expect(await counter(page)).toBe('step 27 of 27')
    await page.keyboard.press('Home')
    expect(await current(page)).toBe('x = 1')
    for (let k = 0; k < 16; k++) await page.keyboard.press('ArrowRight')
    expect(await counter(page)).toBe('step 17 of 27')
    expect(await current(page)).toBe('∂L/∂t3 = ∂L/∂L · ∂(t3²)/∂t3 = 1 · (-2) = -2')
    expect(await classes(page, `edge-${edge}`)).toContain('current')
    expect(await classes(page, `node-${index('t3')}`)).toContain('current')
    expect(await classes(page, `node-${index('L')}`)).toContain('current')
    expect(await classes(page, `node-${index('x')}`)).not.toContain('current')
    // Values shown so far, gradients not yet: x's gradient appears only when the pass reaches it.
    const xGrad = page.locator(`[id="node-${index('x')}"] text`, { hasText: 'grad' })
    expect(await xGrad.getAttribute('class')).toContain('unseen')
    await page.keyboard.press('ArrowLeft')
    expect(await counter(page)).toBe('step 16 of 27')
    expect(page.url()).toMatch(/#step=16$/)
    await page.close()
  })

  it('follows a link to a step', async () => {
    const { page } = await open(MISSION, '#step=7')
    expect(await counter(page)).toBe('step 7 of 27')
    expect(await current(page)).toBe('t3 = t2 - y = -1')
    await page.click('#next')
    expect(await current(page)).toBe('L = t3² = 1')
    await page.close()
  })

  it('ends with the gradients of named nodes under --wrt, as the tables do', async () => {
    const { page, errors } = await open(['yhat = x*w + b; loss = (yhat - y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '0', '--wrt', 'yhat,w'])
    await page.keyboard.press('End')
    const steps = await page.$$eval('#list li', (lis) => lis.map((li) => li.textContent))
    expect(steps.slice(-2)).toEqual(['∂loss/∂w = 2 (agrees, finite difference 2)', '∂loss/∂yhat = 2 (not checked)'])
    expect(errors).toEqual([])
    await page.close()
  })

  it('asks each step first with --quiz, judging answers and giving the hints', async () => {
    const { page } = await open([...MISSION, '--quiz'], '#step=3')
    expect(await current(page)).toBe('t1 = x·w = ?')
    expect(await page.isVisible('#quiz')).toBe(true)
    await page.fill('#answer', '2')
    await page.click('#quiz button')
    expect(await page.textContent('#feedback')).toMatch(/^not quite\. Hint: product/)
    await page.fill('#answer', 'x*w')
    await page.click('#quiz button')
    expect(await page.textContent('#feedback')).toBe('right: t1 = 1·1 = 1')
    expect(await current(page)).toBe('t1 = x·w = 1')
    expect(await page.isVisible('#quiz')).toBe(false)
    await page.close()
  })

  it('keeps its layout: a backward step matches the stored screenshot within a tolerance', async () => {
    const { page } = await open(MISSION, '#step=20')
    const shot = PNG.sync.read(await page.screenshot())
    await page.close()
    const golden = join(import.meta.dirname, 'golden', 'html-mission-step-20.png')
    // UPDATE_SCREENSHOTS=1 stores a new one after a change to the page that is meant.
    if (process.env.UPDATE_SCREENSHOTS) writeFileSync(golden, PNG.sync.write(shot))
    const stored = PNG.sync.read(readFileSync(golden))
    expect([shot.width, shot.height]).toEqual([stored.width, stored.height])
    const diff = pixelmatch(shot.data, stored.data, undefined, shot.width, shot.height, { threshold: 0.1 })
    expect(diff / (shot.width * shot.height)).toBeLessThan(0.01)
  })
})

const LAYER = ['z = W*x + b; L = sum(tanh(z))', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, -1]', '--b', '[0.5, 0, -0.5]']
const examples = (...names: string[]) => Object.fromEntries(names.map((name) => [name, readFileSync(join(import.meta.dirname, '..', name), 'utf8')]))
const MLP_FILES = examples('examples/mlp.txt', 'examples/data/xor-inputs.csv', 'examples/data/xor-targets.csv')
const MLP = [
  ...['--file', 'examples/mlp.txt', '--X', '@examples/data/xor-inputs.csv', '--y', '@examples/data/xor-targets.csv'],
  ...['--W1', 'randn(2, 3)', '--b1', 'zeros(3)', '--w2', 'randn(3)', '--b2', '0', '--seed', '1'],
]
const list = (page: Page) => page.$$eval('#list li', (items) => items.map((li) => li.textContent ?? ''))

describe('--format html on a tensor program', () => {
  it('steps through the 2-layer perceptron and opens one entry of a matrix product scalar by scalar', async () => {
    const { page, requests, errors, url } = await open(MLP, '', MLP_FILES)
    expect(requests).toEqual([url])
    expect(errors).toEqual([])
    const traced = JSON.parse((await runCli([...MLP, '--format', 'json'], { files: MLP_FILES })).stdout)
    const nodes: { id: string; kind: string }[] = traced.nodes
    const edges: { from: string; to: string }[] = traced.edges
    const fanIn = new Set(edges.map((e) => e.from).filter((from, k, all) => all.indexOf(from) !== k))
    // A step per node (constants aside), per rule, the seed, per contribution, per fan-in sum, per gradient.
    const total = nodes.filter((n) => n.kind !== 'constant').length + 2 * edges.length + 1 + fanIn.size + Object.keys(traced.gradients).length
    expect(await counter(page)).toBe(`step 1 of ${total}`)
    const steps = await list(page)
    const at = steps.findIndex((text) => text.startsWith('∂loss/∂W1 = Xᵀ·∂loss/∂t1'))
    expect(at).toBeGreaterThan(0)
    for (let k = 0; k < at; k++) await page.keyboard.press('ArrowRight')
    expect(await counter(page)).toBe(`step ${at + 1} of ${total}`)
    const index = (id: string) => nodes.findIndex((n) => n.id === id)
    const edge = edges.findIndex((e) => e.from === 'W1' && e.to === 't1')
    expect(await classes(page, `edge-${edge}`)).toContain('current')
    expect(await classes(page, `node-${index('W1')}`)).toContain('current')
    expect(await classes(page, `node-${index('t1')}`)).toContain('current')
    // W1 is 2×3: six entries to open. W1[2, 1] is the fourth, row by row.
    expect(await page.locator('#entries button').count()).toBe(6)
    const grad: number = traced.gradients.W1[1][0]
    expect(await page.textContent('#entry-4')).toBe(formatNumber(grad, 4))
    await page.click('#entry-4')
    expect(await page.getAttribute('#entry-4', 'aria-pressed')).toBe('true')
    const chain = (await page.textContent('#chain'))!
    expect(chain).toContain('∂loss/∂W1[2, 1] = ∂loss/∂t1[2, 1] · ∂t1[2, 1]/∂W1[2, 1] + ∂loss/∂t1[4, 1] · ∂t1[4, 1]/∂W1[2, 1]')
    expect(chain).toContain('= ∂loss/∂t1[2, 1] · X[2, 2] + ∂loss/∂t1[4, 1] · X[4, 2]')
    // The products of the chain add up to the gradient's entry, and each factor is X's entry in column 2.
    const products = /\n\s+= (\(?-?[\d.e-]+\)? · \(?-?[\d.e-]+\)?(?: \+ \(?-?[\d.e-]+\)? · \(?-?[\d.e-]+\)?)*)\n/.exec(chain)![1]!
    const terms = products.split(' + ').map((term) => term.split(' · ').map((f) => Number(f.replace(/[()]/g, ''))))
    const X = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]
    const nonzero = X.map((row) => row[1]!).filter((x) => x !== 0)
    expect(terms.map(([, local]) => local)).toEqual(nonzero)
    expect(terms.reduce((sum, [upstream, local]) => sum + upstream! * local!, 0)).toBeCloseTo(grad, 3)
    await page.keyboard.press('ArrowRight')
    expect(await page.isVisible('#entries')).toBe(false)
    await page.close()
  })

  it('asks each shape, then each rule among others of the program, with --quiz', async () => {
    const { page } = await open([...LAYER, '--quiz'], '#step=3')
    expect(await current(page)).toBe('the shape of t1 = W·x = ?')
    expect(await page.textContent('label[for=answer]')).toMatch(/^Its shape/)
    await page.fill('#answer', '3x2')
    await page.click('#quiz button[type=submit]')
    expect(await page.textContent('#feedback')).toMatch(/^not quite\. Hint: a matrix product m×k · k×n is m×n/)
    await page.fill('#answer', '3')
    await page.click('#quiz button[type=submit]')
    expect(await page.textContent('#feedback')).toBe('right: t1 = W·x is 3')
    expect(await current(page)).toBe('t1 = W·x = [-1, -1, -1]  (3)')
    await page.goto(page.url().replace(/#.*/, '#step=12'))
    expect(await current(page)).toBe('which rule gives ∂L/∂W through t1 = W·x?')
    const choices = await page.$$eval('#choices button', (buttons) => buttons.map((b) => b.textContent))
    // The sibling input's rule is among the others: the likeliest slip.
    expect([...choices].sort()).toEqual(expect.arrayContaining(['ḡ·xᵀ', 'Wᵀ·ḡ']))
    expect(new Set(choices).size).toBe(choices.length)
    await page.click('#choices button:text-is("Wᵀ·ḡ")')
    expect(await page.textContent('#feedback')).toMatch(/^not quite\. Hint: matrix product: /)
    await page.click('#choices button:text-is("ḡ·xᵀ")')
    expect(await page.textContent('#feedback')).toMatch(/^right: ∂L\/∂W = ∂L\/∂t1·xᵀ = /)
    expect(await current(page)).toBe('t1 = W·x, to W (3×2): matrix product; passes back ḡ·xᵀ  (3×1 · 1×2 → 3×2)')
    await page.close()
  })

  it('steps through a convolution, opens a kernel entry as its sum over positions, and names the pool winners', async () => {
    const files = examples('examples/conv1d.txt')
    const argv = ['--file', 'examples/conv1d.txt', '--x', '[1, 2, 4, 3, 1, -1]', '--k', '[1, 0, -1]', '--t', '[-2, -1, 2, 2]']
    const { page, requests, errors, url } = await open(argv, '', files)
    expect([requests, errors]).toEqual([[url], []])
    const traced = JSON.parse((await runCli([...argv, '--format', 'json'], { files })).stdout)
    const steps = await list(page)
    const at = steps.findIndex((text) => text.startsWith('∂loss/∂k = x ⋆ ∂loss/∂y'))
    expect(at).toBeGreaterThan(0)
    await page.goto(url + `#step=${at + 1}`)
    // k[1] met x[1..4] at the four positions the kernel slid to: four products, adding up to its gradient.
    await page.click('#entry-1')
    const chain = (await page.textContent('#chain'))!
    expect(chain).toContain('∂loss/∂k[1] = ∂loss/∂y[1] · ∂y[1]/∂k[1] + ∂loss/∂y[2] · ∂y[2]/∂k[1] + ∂loss/∂y[3] · ∂y[3]/∂k[1] + ∂loss/∂y[4] · ∂y[4]/∂k[1]')
    expect(chain).toContain('= ∂loss/∂y[1] · x[1] + ∂loss/∂y[2] · x[2] + ∂loss/∂y[3] · x[3] + ∂loss/∂y[4] · x[4]')
    const products = /\n\s+= (\(?-?[\d.e-]+\)? · \(?-?[\d.e-]+\)?(?: \+ \(?-?[\d.e-]+\)? · \(?-?[\d.e-]+\)?)+)\n/.exec(chain)![1]!
    const terms = products.split(' + ').map((term) => term.split(' · ').map((f) => Number(f.replace(/[()]/g, ''))))
    expect(terms.map(([, x]) => x)).toEqual([1, 2, 4, 3])
    expect(terms.reduce((sum, [g, x]) => sum + g! * x!, 0)).toBeCloseTo(traced.gradients.k[0], 6)
    await page.close()
    const pool = await open(['L = sum(maxpool1d(x, 2) .* [1, 10])', '--x', '[1, 3, 2, 0]'])
    expect(pool.errors).toEqual([])
    const poolSteps = await list(pool.page)
    expect(poolSteps.find((text) => text.startsWith('∂L/∂x = '))).toContain('[0, 1, 10, 0]')
    expect((await pool.page.textContent('body'))!).toContain('winners')
    await pool.page.close()
  })

  it('steps through time: one contribution to ∂loss/∂W per step of the loop, labelled by t, adding up to its gradient', async () => {
    const files = examples('examples/rnn.txt')
    const argv = ['--file', 'examples/rnn.txt', '--W', '[0.5, -0.2; 0.1, 0.3]', '--U', '[1, 0; 0.5, 1]', '--X', '[1, 2; 0, 1; -1, 0.5]', '--b', '[0; 0.1]']
    const { page, errors } = await open(argv, '', files)
    expect(errors).toEqual([])
    const steps = await list(page)
    const contributions = steps.filter((text) => /^∂loss\/∂W \(\d of 3, t = \d\)/.test(text))
    expect(contributions.map((text) => /t = (\d)/.exec(text)![1])).toEqual(['3', '2', '1'])
    expect(steps.some((text) => text.startsWith('h#2 = tanh('))).toBe(true)
    const traced = JSON.parse((await runCli([...argv, '--format', 'json'], { files })).stdout)
    const w = traced.edges.filter((e: { from: string }) => e.from === 'W').map((e: { contribution: number[][] }) => e.contribution)
    const sum = w.reduce((acc: number[][], c: number[][]) => acc.map((row, i) => row.map((x, j) => x + c[i]![j]!)))
    sum.flat().forEach((x: number, i: number) => expect(x).toBeCloseTo(traced.gradients.W.flat()[i], 12))
    await page.close()
  })

  it('keeps its layout: a matrix product with an entry opened matches the stored screenshot', async () => {
    const { page } = await open(LAYER, '#step=19')
    await page.click('#entry-2')
    const shot = PNG.sync.read(await page.screenshot())
    await page.close()
    const golden = join(import.meta.dirname, 'golden', 'html-layer-step-19.png')
    if (process.env.UPDATE_SCREENSHOTS) writeFileSync(golden, PNG.sync.write(shot))
    const stored = PNG.sync.read(readFileSync(golden))
    expect([shot.width, shot.height]).toEqual([stored.width, stored.height])
    const diff = pixelmatch(shot.data, stored.data, undefined, shot.width, shot.height, { threshold: 0.1 })
    expect(diff / (shot.width * shot.height)).toBeLessThan(0.01)
  })

  it('writes the 784→128→10 batch in well under 2 MB, big values summarized and no entry grid for them', async () => {
    let seed = 7
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5
    const files = {
      'x.csv': Array.from({ length: 64 }, () => Array.from({ length: 784 }, () => next().toFixed(4)).join(',')).join('\n'),
      'y.csv': Array.from({ length: 64 }, (_, i) => Array.from({ length: 10 }, (_, j) => Number(j === i % 10)).join(',')).join('\n'),
    }
    const program = 'H = relu(X*W1 + b1); O = H*W2 + b2; loss = mean(logsumexp(O, 2) - sum(Y .* O, 2))'
    const values = ['--X', '@x.csv', '--Y', '@y.csv', '--W1', 'randn(784, 128) / 28', '--b1', 'zeros(128)', '--W2', 'randn(128, 10) / 11', '--b2', 'zeros(10)']
    const { page, errors, text } = await open([program, ...values], '', files)
    expect(errors).toEqual([])
    expect(text.length).toBeLessThan(2 * 1024 * 1024)
    const steps = await list(page)
    const w1 = steps.find((s) => s.startsWith('∂loss/∂W1 = '))!
    expect(w1).toContain('(784×128) =')
    expect(w1).toContain('…')
    await page.goto(page.url().replace(/#.*/, `#step=${steps.indexOf(w1) + 1}`))
    expect(await page.isVisible('#entries')).toBe(false)
    await page.close()
  })
})

describe('--format html on a program in symbols (--shape)', () => {
  const LAYER = ['z = W*x + b; loss = sum((z - y).^2)', '--shape', 'W=3x2', '--shape', 'x=2', '--shape', 'b=3', '--shape', 'y=3']

  it('steps through the formulas: each value, each rule with its shapes, each contribution, each gradient, outlining its node and edge', async () => {
    const { page, errors, requests, url } = await open(LAYER)
    const table = JSON.parse((await runCli([...LAYER, '--format', 'json'])).stdout)
    expect(requests).toEqual([url])
    const steps = await page.$$eval('#list li', (lis) => lis.length)
    await page.keyboard.press('End')
    // Values (one per node but none constant), rules and contributions (one per edge), the seed, the gradients.
    const count = table.nodes.filter((n: { kind: string }) => n.kind !== 'constant').length + 2 * table.edges.length + 1 + 4
    expect(await counter(page)).toBe(`step ${count} of ${count}`)
    expect(steps).toBeGreaterThan(0)
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    expect(await current(page)).toBe('∂loss/∂W = 2·(W·x + b - y)·xᵀ  (3×2)')
    const w = table.nodes.findIndex((n: { label: string }) => n.label === 'W')
    expect(await classes(page, `node-${w}`)).toContain('current')
    // A rule, with the shapes it multiplies, outlines its edge and both ends.
    await page.keyboard.press('Home')
    const rule = table.edges.findIndex((e: { from: string; to: string }) => e.from === 'W' && e.to === 't1')
    const values = table.nodes.filter((n: { kind: string }) => n.kind !== 'constant').length
    for (let k = 0; k < values + rule; k++) await page.keyboard.press('ArrowRight')
    expect(await current(page)).toBe('t1 = W·x, to W (3×2): passes back ḡ·xᵀ  (3×1 · 1×2 → 3×2)')
    expect(await classes(page, `edge-${rule}`)).toContain('current')
    expect(errors).toEqual([])
    await page.close()
  })

  it('says a gradient simplified beside its formula, and draws each node with its shape', async () => {
    const { page, text } = await open([
      'p = sigmoid(X*w + b); loss = -mean(y .* log(p) + (1 - y) .* log(1 - p))',
      '--shape',
      'X=4x3',
      '--shape',
      'w=3',
      '--shape',
      'y=4',
    ])
    await page.keyboard.press('End')
    const steps = await page.$$eval('#list li', (lis) => lis.map((li) => li.textContent))
    expect(steps).toContain('∂loss/∂w = Xᵀ·(((1 - y) / (4·(1 - p)) - y / (4·p)) ⊙ p ⊙ (1 - p))  (3)\n= Xᵀ·(p - y) / 4   (the same, simplified)')
    expect(text).toContain('shape 4×3')
    await page.close()
  })
})

describe("the README's pictures of the page", () => {
  it.each([
    ['docs/html-page.png', 'html-mission-step-20.png'],
    ['docs/html-tensor-page.png', 'html-layer-step-19.png'],
  ])('%s is the stored screenshot %s (copy it after UPDATE_SCREENSHOTS=1)', (picture, golden) => {
    expect(readFileSync(join(import.meta.dirname, '..', picture)).equals(readFileSync(join(import.meta.dirname, 'golden', golden)))).toBe(true)
  })
})
