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
async function open(argv: string[], fragment = '') {
  const file = join(dir, `page-${Math.random().toString(36).slice(2)}.html`)
  const { code, written, stderr } = await runCli([...argv, '--format', 'html', '-o', file])
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
