// backprop-tutor playground in a real browser: Debian's headless Chromium driven by playwright-core,
// the page written by the CLI and opened from file://, used as a student would (typing, stepping,
// answering, pasting), and checked against the CLI itself. (.ci/run installs chromium where missing.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { chromium, type Browser, type Page } from 'playwright-core'
import { runCli, json } from './helpers.js'
import { DEFAULT_PRECISION, formatNumber } from '../src/format.js'
import { program as randomProgram } from './random-programs.js'
import { words, writeHash } from '../src/playground/share.js'

const CHROMIUM = '/usr/bin/chromium'
const dir = mkdtempSync(join(tmpdir(), 'backprop-tutor-playground-'))
const file = join(dir, 'backprop.html')
const url = pathToFileURL(file).href
let browser: Browser
let html: string

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`)
  const { code, written, stderr } = await runCli(['playground', '-o', file])
  expect(stderr).toBe('')
  expect(code).toBe(0)
  html = written[file]!
  writeFileSync(file, html)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--font-render-hinting=none'] })
})
afterAll(async () => browser?.close())

/** The playground opened at `fragment`, every request and every error it makes recorded. */
async function open(fragment = '', viewport = { width: 1280, height: 900 }) {
  const page: Page = await browser.newPage({ viewport })
  await page.addInitScript(inPage)
  const requests: string[] = []
  const errors: string[] = []
  page.on('request', (request) => void requests.push(request.url().replace(/#.*/, '')))
  page.on('pageerror', (error) => void errors.push(String(error)))
  page.on('console', (message) => void (message.type() === 'error' || message.type() === 'warning' ? errors.push(message.text()) : undefined))
  await page.goto(url + fragment)
  await ready(page)
  return { page, requests, errors }
}

/** Waits for the newest trace to be drawn (the trace panel is busy while the CLI runs). */
async function ready(page: Page) {
  await page.waitForSelector('#pg-trace[aria-busy=false]')
}

/** Types into a box as a student does, key by key, then waits for the redraw. */
async function type(page: Page, box: string, text: string) {
  await page.fill(box, '')
  await page.type(box, text)
  await page.waitForTimeout(200)
  await ready(page)
}

// Helpers the tests call inside the page.
declare function widthOf(id: string): number
declare function contrastFailures(): string[]

/** Added to each page before its scripts run: measuring as app.ts measures, and WCAG's contrast ratio. */
function inPage() {
  const w = window as unknown as Record<string, unknown>
  /** The --width the playground passes for a panel: the columns that fit in it. */
  w.widthOf = (id: string) => {
    const box = document.getElementById(id)!
    const probe = document.createElement('span')
    probe.textContent = '0'.repeat(20)
    box.appendChild(probe)
    const width = probe.getBoundingClientRect().width / 20
    probe.remove()
    return Math.max(40, Math.min(120, Math.floor((box.clientWidth - 16) / width)))
  }
  const channel = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
  const luminance = ([r, g, b]: number[]) => 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!)
  const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number)
  /** Every element with text of its own whose colour is below 4.5:1 (3:1 when large) against the first opaque background behind it. */
  w.contrastFailures = () => {
    const failures: string[] = []
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim())
      if (!own || el.closest('svg') || el.getClientRects().length === 0) continue
      const style = getComputedStyle(el)
      let bg = [255, 255, 255]
      for (let at: HTMLElement | null = el; at; at = at.parentElement) {
        const c = rgb(getComputedStyle(at).backgroundColor)
        if (c.length === 3 || (c.length === 4 && c[3]! > 0)) {
          bg = c.slice(0, 3)
          break
        }
      }
      const [a, b] = [luminance(rgb(style.color)), luminance(bg)]
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)
      const size = parseFloat(style.fontSize)
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700)
      if (ratio < (large ? 3 : 4.5)) failures.push(`${el.tagName}#${el.id}: ${ratio.toFixed(2)}`)
    }
    return failures
  }
}

const hashOf = (page: Page) => new URLSearchParams(new URL(page.url()).hash.slice(1))

describe('backprop-tutor playground', () => {
  it('is one file of at most 2 MB that loads nothing else', () => {
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024)
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/)
  })

  it('traces the mission example as it is typed, steps it, and quizzes it: one answer right, one wrong', async () => {
    const { page, requests, errors } = await open()
    await type(page, '#pg-program', '(x*w+b-y)^2')
    await type(page, '#pg-values', '--x 1 --w 1 --b 0 --y 2')
    // The terminal view is the CLI's own output at the panel's width, and says which command prints it.
    const width = await page.evaluate(() => String(widthOf('pg-reverse')))
    expect(await page.textContent('#pg-reverse-command')).toBe(
      `As the terminal prints it: backprop-tutor '(x*w+b-y)^2' --x 1 --w 1 --b 0 --y 2 --width ${width}`,
    )
    const cli = await runCli(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--width', width])
    expect(await page.textContent('#pg-reverse')).toBe(cli.stdout)
    expect(await page.textContent('#counter')).toBe('step 1 of 27')
    // Stepping with the keyboard from the step controls; the address keeps the step for a link.
    await page.focus('#next')
    for (let k = 0; k < 16; k++) await page.keyboard.press('ArrowRight')
    expect(await page.textContent('#current')).toBe('∂L/∂t3 = ∂L/∂L · ∂(t3²)/∂t3 = 1 · (-2) = -2')
    expect(hashOf(page).get('step')).toBe('17')
    expect(hashOf(page).get('p')).toBe('(x*w+b-y)^2')
    expect(hashOf(page).get('w')).toBe('1')
    // Arrow keys typed in a box move its caret, not the trace.
    await page.focus('#pg-program')
    await page.keyboard.press('ArrowLeft')
    expect(await page.textContent('#counter')).toBe('step 17 of 27')
    // In the terminal view they scroll it.
    await page.focus('#pg-reverse')
    await page.keyboard.press('ArrowRight')
    expect(await page.textContent('#counter')).toBe('step 17 of 27')
    // The quiz is the terminal's: t1 = x·w is 1; then t2 = t1 + b answered 7 gets its first hint.
    await page.click('#pg-quiz-start')
    await page.waitForSelector('#pg-quiz-form:not([hidden])')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pg-quiz-answer')
    for (const answer of ['x*w', '7']) {
      await page.fill('#pg-quiz-answer', answer)
      await page.press('#pg-quiz-answer', 'Enter')
      await page.waitForTimeout(50)
    }
    const transcript = (await page.textContent('#pg-transcript'))!
    expect(transcript).toContain('(1/19) t1 = x·w = ?\n> x*w\n  ✓ right')
    expect(transcript).toContain('(2/19) t2 = t1 + b = ?\n> 7\n  ✗ not quite: sum of the values above: t1 = 1, b = 0')
    // Started again, the quiz starts afresh and asks again; the first one says nothing more.
    await page.click('#pg-quiz-start')
    await page.waitForSelector('#pg-quiz-form:not([hidden])')
    await page.fill('#pg-quiz-answer', '1')
    await page.press('#pg-quiz-answer', 'Enter')
    await page.waitForFunction(() => document.getElementById('pg-transcript')!.textContent!.includes('(2/19)'))
    const again = (await page.textContent('#pg-transcript'))!
    expect(again).toMatch(/^Program {2}\(x\*w\+b-y\)\^2\n/)
    expect(again).not.toContain('Stopped')
    expect(again).toContain('(1/19) t1 = x·w = ?\n> 1\n  ✓ right')
    expect(requests).toEqual([url])
    expect(errors).toEqual([])
    await page.close()
  })

  it('marks a pasted wrong claim wrong, with the verdict check gives', async () => {
    const { page, errors } = await open('#p=x*y%2Bx&x=3&y=4')
    await page.fill('#pg-claims', 'dL/dx = 4\ndL/dy = 3')
    await page.click('#pg-check-form button[type=submit]')
    await page.waitForFunction(() => document.getElementById('pg-verdicts')!.textContent !== '')
    const cli = await runCli(['check', 'x*y+x', '--x', '3', '--y', '4', '--claim', 'dL/dx = 4', '--claim', 'dL/dy = 3'])
    expect(cli.code).toBe(3)
    expect(await page.textContent('#pg-verdicts')).toBe(cli.stdout)
    expect(cli.stdout).toContain('✗ 1. dL/dx = 4')
    expect(cli.stdout).toContain('✓ 2. dL/dy = 3')
    // A written trace, pasted whole, is read line by line.
    await page.check('#pg-kind-written')
    await page.fill('#pg-claims', 'The gradient of x:\n\n$$\\frac{\\partial L}{\\partial x} = y + 1 = 5$$\n')
    await page.click('#pg-check-form button[type=submit]')
    await page.waitForFunction(() => document.getElementById('pg-verdicts')!.textContent!.includes('line 3'))
    expect(await page.textContent('#pg-verdicts')).toMatch(/✓ line 3/)
    expect(errors).toEqual([])
    await page.close()
  })

  it('opens a shared link at its step, and shows the CLI message for a syntax error, pointed at its column', async () => {
    const { page, errors } = await open('#p=sin(x)%5E2&x=0.5&step=4')
    expect(await page.inputValue('#pg-program')).toBe('sin(x)^2')
    expect(await page.inputValue('#pg-values')).toBe('--x 0.5')
    expect(await page.textContent('#counter')).toMatch(/^step 4 of /)
    expect(await page.isHidden('#pg-error')).toBe(true)
    await type(page, '#pg-program', 'sin(x^2')
    const cli = await runCli(['sin(x^2', '--x', '0.5'])
    expect(cli.code).toBe(1)
    expect(await page.isVisible('#pg-error')).toBe(true)
    // The CLI's message, less its pointer to --help (the page has none): the program line and caret unfolded.
    expect(await page.innerText('#pg-error')).toBe(cli.stderr.trimEnd())
    expect(cli.stderr).toMatch(/\n {2}sin\(x\^2\n {9}\^/)
    expect(await page.getAttribute('#pg-program', 'aria-invalid')).toBe('true')
    // The last trace stays, said to be of the last program that could be traced.
    expect(await page.textContent('#pg-status')).toBe('The trace below is of the last program that could be traced.')
    await type(page, '#pg-program', 'sin(x)^3')
    expect(await page.isHidden('#pg-error')).toBe(true)
    expect(errors).toEqual([])
    await page.close()
  })

  it("reads a + typed into a link as a plus, and keeps the values box's own words in its messages", async () => {
    const { page, errors } = await open('#p=(x*w+b-y)^2&x=1&w=1&b=0&y=2&step=999')
    expect(await page.inputValue('#pg-program')).toBe('(x*w+b-y)^2')
    // A step past the last is the last, in the address too.
    expect(await page.textContent('#counter')).toBe('step 27 of 27')
    expect(hashOf(page).get('step')).toBe('27')
    await type(page, '#pg-values', '--x 1 --w')
    expect(await page.textContent('#pg-error')).toBe('backprop-tutor: error: --w needs a value, as in --w 1')
    await type(page, '#pg-values', '--x 1 extra')
    expect(await page.textContent('#pg-error')).toBe(
      'the values box holds --NAME VALUE pairs and options; "extra" is neither (the program goes in the Program box, a value after its --NAME)',
    )
    // A training run is printed after the tables; the page still steps through the trace.
    await type(page, '#pg-values', '--x 1 --w 1 --b 0 --y 2 --lr 0.1 --steps 2')
    expect(await page.isHidden('#pg-error')).toBe(true)
    expect(await page.textContent('#pg-reverse')).toContain('after step 2:')
    expect(await page.textContent('#counter')).toMatch(/^step \d+ of 27$/)
    // Another program starts at its first step.
    await type(page, '#pg-program', 'sin(x)')
    expect(await page.textContent('#counter')).toMatch(/^step 1 of /)
    expect(errors).toEqual([])
    await page.close()
  })

  it('keeps each panel to its mode, --entry to the terminal view, --tolerance to check, and a command that runs as copied', async () => {
    const program = '# a layer\nz = W*x + b\nL = sum(tanh(z))'
    const values = '--W "[1, 2; 3, 4; 5, 6]" --x "[1, -1]" --b "[0, 0, 0]" --entry "W[1, 2]" --mode both --tolerance 0.5'
    const { page, errors } = await open(writeHash({ program, values, step: 1 }))
    expect(await page.isHidden('#pg-error')).toBe(true)
    // The stepping view is there, the entry's chain in the terminal view, no tangent in the reverse panel.
    expect(await page.textContent('#counter')).toMatch(/^step 1 of \d+$/)
    const reverse = (await page.textContent('#pg-reverse'))!
    expect(reverse).toContain('∂L/∂W[1, 2]')
    expect(reverse).not.toContain('tangent')
    expect(await page.textContent('#pg-forward')).toContain('tangent')
    expect(await page.textContent('#pg-status')).toBe('Traced z = W*x + b.')
    // The command shown, split as a shell splits it, prints the reverse panel.
    const command = (await page.textContent('#pg-reverse-command'))!.replace(/^As the terminal prints it: backprop-tutor /, '')
    const argv = words(command) as string[]
    expect(argv[0]).toBe(program)
    expect((await runCli(argv)).stdout).toBe(reverse)
    // A program in symbols is written in the terminal view and stepped through as formulas; forward mode says why it is empty.
    await type(page, '#pg-values', '--shape W=3x2 --shape x=2 --shape b=3')
    expect(await page.textContent('#pg-reverse')).toContain('∂L/∂W = ')
    await page.waitForSelector('#pg-trace #counter')
    expect(await page.textContent('#pg-trace')).toContain('∂L/∂W = (1 - tanh(W·x + b).^2)·xᵀ  (3×2)')
    expect(await page.textContent('#pg-forward')).toContain('A program in symbols (--shape) has no forward mode here')
    await type(page, '#pg-values', values)
    // --tolerance 0.5 judges a claim within half of the truth right, as check --tolerance 0.5 does.
    await page.fill('#pg-claims', 'dL/dx = [3, 4]')
    await page.click('#pg-check-form button[type=submit]')
    await page.waitForFunction(() => document.getElementById('pg-verdicts')!.textContent !== '')
    const cli = await runCli([
      'check',
      program,
      '--W',
      '[1, 2; 3, 4; 5, 6]',
      '--x',
      '[1, -1]',
      '--b',
      '[0, 0, 0]',
      '--tolerance',
      '0.5',
      '--claim',
      'dL/dx = [3, 4]',
    ])
    expect(await page.textContent('#pg-verdicts')).toBe(cli.stdout)
    // ∂L/∂x is [3.78, 5.04]: within half, not within the default 1%.
    expect(cli.stdout).toContain('✓ 1. dL/dx = [3, 4]')
    expect(errors).toEqual([])
    await page.close()
  })

  it.each([
    ['#p=x%ZZ&x=1', 'this link cannot be read: "p=x%ZZ" is not percent-encoded (write % as %25)'],
    ['#p=x&x=1&x=2', 'this link cannot be read: x is given twice'],
    ['#p=x&step=two', 'this link cannot be read: step=two is not a step number (1, 2, …)'],
    ['#x=1', 'this link cannot be read: it has no p=PROGRAM'],
    [`#p=${'x%2B'.repeat(9000)}x`, 'this link is 36,003 characters long after #; a shared link holds at most 32,768, so its program cannot be read from it'],
  ])('refuses the link %# with a message', async (fragment, message) => {
    const { page, errors } = await open(fragment)
    expect(await page.textContent('#pg-error')).toBe(message)
    expect(await page.inputValue('#pg-program')).toBe('')
    // The link refused stays in the address, to be read and mended.
    expect(new URL(page.url()).hash).toBe(fragment)
    expect(errors).toEqual([])
    await page.close()
  })

  it('runs tensor programs: the layer stepped with an entry opened, forward mode beside reverse', async () => {
    const { page, errors } = await open()
    await type(page, '#pg-values', '--W "[1, 2; 3, 4; 5, 6]" --x "[1, -1]" --b "[0, 0, 0]"')
    await type(page, '#pg-program', 'z = W*x + b; loss = sum(tanh(z))')
    expect(await page.isHidden('#pg-error')).toBe(true)
    const forward = (await page.textContent('#pg-forward'))!
    expect(forward).toContain('The tangents agree, along each of the 3 directions, with the backward')
    const steps = await page.$$eval('#list li', (lis) => lis.map((li) => li.textContent))
    const product = steps.findIndex((text) => text!.startsWith('∂loss/∂W = '))
    expect(product).toBeGreaterThan(0)
    await page.fill('#slider', String(product + 1))
    await page.click('#entry-2')
    expect(await page.textContent('#chain')).toContain('∂loss/∂W[1, 2] = ∂loss/∂t1[1] · ∂t1[1]/∂W[1, 2]')
    expect(errors).toEqual([])
    await page.close()
  })

  it('is usable by keyboard and screen reader, and at 400 px wide', async () => {
    const { page, errors } = await open('', { width: 400, height: 800 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400)
    const tree = await page.locator('body').ariaSnapshot()
    for (const line of [
      'textbox "Program"',
      'textbox "Values"',
      'main "Step through it"',
      'button "Next"',
      'button "Check it"',
      'button "Start the quiz"',
      'radio "claims, one per line"',
    ])
      expect(tree).toContain(line)
    // Tab from the top reaches the boxes first, and every control shows where the focus is.
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pg-program')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pg-values')
    for (const id of ['pg-program', 'next', 'pg-quiz-start']) {
      await page.focus(`#${id}`)
      await page.keyboard.press('Shift+Tab')
      await page.keyboard.press('Tab')
      expect(await page.evaluate((el) => getComputedStyle(document.getElementById(el)!).outlineStyle, id)).toBe('solid')
    }
    // At 400 px the mission's graph is wider than its panel: a button fits it in, and back.
    const width = () => page.evaluate(() => document.querySelector('#pg-trace .graph svg')!.getBoundingClientRect().width)
    const before = await width()
    await page.click('#fit')
    expect(await page.getAttribute('#fit', 'aria-pressed')).toBe('true')
    expect(await width()).toBeLessThan(before / 2)
    await page.click('#fit')
    expect(await width()).toBe(before)
    // Every text against what is behind it: WCAG AA, 4.5:1 (3:1 for large text).
    const failing = await page.evaluate(() => contrastFailures())
    expect(failing).toEqual([])
    expect(errors).toEqual([])
    await page.close()
  })

  it('shows, for 200 random programs, the gradients of the CLI JSON', async () => {
    const { page, errors } = await open()
    const programs = fc.sample(
      fc.tuple(
        randomProgram.filter((g) => /\b[xyz]\b/.test(g.text)),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
      ),
      {
        numRuns: 200,
        seed: 27,
      },
    )
    let compared = 0
    for (const [gen, x, y] of programs) {
      const point = { x: Math.round(x * 100) / 100 || 0.5, y: Math.round(y * 100) / 100 || 0.5, z: 0.75 }
      const values = Object.fromEntries(Object.entries(point).filter(([name]) => new RegExp(`\\b${name}\\b`).test(gen.text)))
      const trace = json(gen.text, values)
      const hash = writeHash({
        program: gen.text,
        values: Object.entries(values)
          .map(([k, v]) => `--${k} ${v}`)
          .join(' '),
        step: 1,
      })
      await page.evaluate((h) => void (location.hash = h), hash)
      await page.waitForFunction((p) => (document.getElementById('pg-program') as HTMLTextAreaElement).value === p, gen.text)
      await ready(page)
      expect(await page.isHidden('#pg-error'), gen.text).toBe(true)
      const lines = await page.$$eval('#list li', (lis) => lis.map((li) => li.textContent ?? ''))
      const shown = Object.fromEntries(
        lines.flatMap((line) => {
          const m = /^∂\S+\/∂([xyz]) = (\S+) \(/.exec(line)
          return m ? [[m[1]!, m[2]!]] : []
        }),
      )
      const expected = Object.fromEntries(
        Object.entries(trace.gradients).map(([name, g]) => [name, typeof g === 'number' ? formatNumber(g, DEFAULT_PRECISION) : g]),
      )
      expect(shown, gen.text).toEqual(expected)
      compared += Object.keys(expected).length
    }
    expect(compared).toBeGreaterThanOrEqual(200)
    expect(errors).toEqual([])
    await page.close()
  }, 240_000)

  it('is built on the library, which runs in a browser: dist/browser.js imports nothing of Node', async () => {
    const library = readFileSync(new URL('../dist/browser.js', import.meta.url), 'utf8')
    const imports = [/^import\s[^;]*?from\s*["']([^"']+)["']/gm, /\bimport\(\s*["']([^"']+)["']\s*\)/g, /\brequire\(\s*["']([^"']+)["']\s*\)/g].flatMap((re) =>
      [...library.matchAll(re)].map((m) => m[1]),
    )
    expect([...new Set(imports)]).toEqual(['@viz-js/viz'])
    // Served to the page over a made-up origin (Chromium loads no module from file://), @viz-js/viz by an import map.
    const page = await browser.newPage()
    const files: Record<string, [Buffer | string, string]> = {
      '/browser.js': [library, 'text/javascript'],
      '/viz.js': [readFileSync(new URL('../node_modules/@viz-js/viz/dist/viz.js', import.meta.url)), 'text/javascript'],
      '/': [
        `<!doctype html><script type="importmap">{"imports":{"@viz-js/viz":"/viz.js"}}</script>
<script type="module">
import { traceProgram, renderJson, FORMATS } from '/browser.js'
const { trace } = traceProgram('(x*w+b-y)^2', { x: 1, w: 1, b: 0, y: 2 })
window.result = { json: renderJson(trace), svg: await FORMATS.svg.render(trace, { precision: 6, ascii: false, explain: false }) }
</script>`,
        'text/html',
      ],
    }
    await page.route('http://tutor.test/**', (route) => {
      const [body, contentType] = files[new URL(route.request().url()).pathname]!
      return route.fulfill({ body, contentType })
    })
    await page.goto('http://tutor.test/')
    const result = (await page.waitForFunction(() => (window as unknown as { result?: unknown }).result).then((h) => h.jsonValue())) as {
      json: string
      svg: string
    }
    const cli = await runCli(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2'])
    expect(cli.code).toBe(0)
    expect(result.json).toBe((await runCli(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--format', 'json'])).stdout)
    expect(result.svg).toBe((await runCli(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--format', 'svg'])).stdout)
    await page.close()
  })
})
