// The playground's links and values box (src/playground/share.ts), and the playground command.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { readHash, words, writeHash } from '../src/playground/share.js'
import { sharedWords } from '../src/cli/command.js'
import { runCli } from './helpers.js'

describe('the values box', () => {
  it('splits as a shell does: quotes keep a word whole', () => {
    expect(words(`--x 1  --W "[1, 2; 3, 4]" --s '2 * pi'`)).toEqual(['--x', '1', '--W', '[1, 2; 3, 4]', '--s', '2 * pi'])
    expect(words('--x=1\n--y  2 ')).toEqual(['--x=1', '--y', '2'])
    expect(words('--x ""')).toEqual(['--x', ''])
    expect(words('--W "[1, 2')).toEqual({ error: 'the values box: the " at column 5 is not closed' })
  })

  it('gives quiz and check the bindings and the options they read, a name like their option bound with --set', () => {
    expect(sharedWords(['--x', '1', '--wrt', 'z', '--precision', '3', '--explain', '--level', '2'], 'trace', 'quiz')).toEqual([
      '--precision',
      '3',
      '--x',
      '1',
      '--set',
      'level=2',
    ])
    expect(sharedWords(['--ascii', '--mode', 'both', '--y', '-2'], 'trace', 'check')).toEqual(['--ascii', '--y', '-2'])
  })
})

describe('a shared link', () => {
  const cases = [
    { program: '(x*w+b-y)^2', values: '--x 1 --w 1', step: 7 },
    { program: 'yhat = x*w + b; loss = (yhat - y)^2', values: '--x 2 --W "[1, 2; 3, 4]"', step: 1 },
    { program: 'p*step + v', values: '--p 2 --step 3 --v 4', step: 2 },
    { program: 'x^2', values: '--x 1 --explain --precision 3', step: 1 },
    { program: 'x & y%', values: '', step: 1 },
  ]

  it.each(cases)('reads back what it wrote: $program', (shared) => {
    const hash = writeHash(shared)
    expect(readHash(hash)).toEqual(shared)
  })

  it('holds bindings by name, options as v=, and escapes the names of its own keys', () => {
    expect(writeHash(cases[0]!)).toBe('#p=%28x*w%2Bb-y%29%5E2&x=1&w=1&step=7')
    expect(writeHash(cases[2]!)).toBe('#p=p*step%20%2B%20v&%40p=2&%40step=3&%40v=4&step=2')
    expect(writeHash(cases[3]!)).toBe('#p=x%5E2&v=--x%201%20--explain%20--precision%203')
    expect(readHash('#p=x*w&x=1&w=2')).toEqual({ program: 'x*w', values: '--x 1 --w 2', step: 1 })
    expect(readHash('#p=x&x=a%20b')).toEqual({ program: 'x', values: '--x "a b"', step: 1 })
    // Typed by hand, + is a plus (a form's space is %20 here).
    expect(readHash('#p=x*w+b&x=1')).toEqual({ program: 'x*w+b', values: '--x 1', step: 1 })
    // The static page's own #step=N, and no hash at all, hold no exercise.
    expect(readHash('#step=3')).toBeUndefined()
    expect(readHash('')).toBeUndefined()
  })

  it.each([
    ['#p=x%E0%A4%A', 'this link cannot be read: "p=x%E0%A4%A" is not percent-encoded (write % as %25)'],
    ['#p=x&p=y', 'this link cannot be read: p is given twice'],
    ['#p=x&step=0', 'this link cannot be read: step=0 is not a step number (1, 2, …)'],
    ['#p=x&1x=2', 'this link cannot be read: 1x is not a variable name (a variable named p, step or v is written @p, @step, @v)'],
    ['#p=x&v=--x%201&x=1', 'this link cannot be read: it gives the values both as v= and by name'],
    ['#x=1', 'this link cannot be read: it has no p=PROGRAM'],
  ])('refuses %s', (hash, error) => {
    expect(readHash(hash)).toEqual({ error })
  })
})

describe('backprop-tutor playground', () => {
  it('writes the page the build made, to -o or stdout', async () => {
    const page = readFileSync(new URL('../dist/playground.html', import.meta.url), 'utf8')
    const out = await runCli(['playground'])
    expect([out.code, out.stderr]).toEqual([0, ''])
    expect(out.stdout).toBe(page)
    // The page itself: the boxes, the stepping script, the bundled command line.
    expect(page).toMatch(/^<!doctype html>\n/)
    for (const part of ['id="pg-program"', 'id="pg-values"', 'function mountPage(data, host)', 'playground takes no program']) expect(page).toContain(part)
    const file = await runCli(['playground', '-o', 'backprop.html'])
    expect([file.code, file.stdout, file.written['backprop.html'] === page]).toEqual([0, '', true])
  })

  it('takes no program and no other option', async () => {
    expect(await runCli(['playground', 'x*w'])).toMatchObject({
      code: 2,
      stderr:
        'backprop-tutor: error: unexpected argument "x*w": the playground takes no program; a student types it into the page\nRun backprop-tutor playground --help for usage.\n',
    })
    expect(await runCli(['playground', '--format', 'html'])).toMatchObject({
      code: 2,
      stderr:
        'backprop-tutor: error: unknown option --format: the playground takes only -o FILE; values are typed into the page\nRun backprop-tutor playground --help for usage.\n',
    })
  })
})
