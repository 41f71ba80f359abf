// The tutor view: golden files a person can read in review, and the numbers in them asserted.
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers.js'
import { boxTable, displayWidth } from '../src/render/box.js'

async function render(argv: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(argv)
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
  return stdout
}

const TANH_NET = 'h1 = tanh(w11*x1 + w12*x2 + b1)\nh2 = tanh(w21*x1 + w22*x2 + b2)\nyhat = v1*h1 + v2*h2 + c\nloss = (yhat - y)^2'
const TANH_VALUES = [
  '--x1',
  '0.5',
  '--x2',
  '-1',
  '--w11',
  '0.3',
  '--w12',
  '-0.2',
  '--w21',
  '0.8',
  '--w22',
  '0.1',
  '--b1',
  '0',
  '--b2',
  '0.1',
  '--v1',
  '1.5',
  '--v2',
  '-0.7',
  '--c',
  '0.2',
  '--y',
  '1',
]

const GOLDEN: [name: string, argv: string[]][] = [
  ['mission-bound', ['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2']],
  ['mission-symbolic', ['(x*w+b-y)^2', '--x', '1', '--w', '1']],
  ['named-statements', ['yhat = x*w + b; loss = (yhat - y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2']],
  ['cube-fan-out', ['x*x*x', '--x', '2']],
  ['tanh-network', [TANH_NET, ...TANH_VALUES]],
  ['nan', ['log(x - 2)*w', '--x', '1', '--w', '3']],
  ['relu-at-zero', ['relu(w*x + b)', '--w', '2', '--x', '0', '--b', '0']],
  ['mission-ascii-explain', ['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--ascii', '--explain']],
  ['tanh-network-wrt', [TANH_NET, ...TANH_VALUES, '--wrt', 'w11,v1', '--precision', '3']],
]

describe('golden files', () => {
  it.each(GOLDEN)('%s', async (name, argv) => {
    await expect(await render(argv)).toMatchFileSnapshot(`golden/${name}.txt`)
  })
})

/** The body rows of the table under a section heading, as trimmed cells. */
function rows(text: string, heading: string): string[][] {
  const lines = text.split('\n')
  const start = lines.findIndex((l) => l.startsWith(heading))
  expect(start).toBeGreaterThanOrEqual(0)
  const body: string[][] = []
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('└') || line.startsWith('+-')) {
      if (body.length > 0) break
      continue
    }
    if (line.startsWith('│') || line.startsWith('|'))
      body.push(
        line
          .split(/[│|]/)
          .slice(1, -1)
          .map((c) => c.trim()),
      )
  }
  return body.slice(1)
}

describe('the numbers in the tables', () => {
  it("prints the mission example's gradients, checked", async () => {
    const text = await render(GOLDEN[0]![1])
    expect(rows(text, '5. Gradients')).toEqual([
      ['x', '-2', '-2', 'agrees'],
      ['w', '-2', '-2', 'agrees'],
      ['b', '-2', '-2', 'agrees'],
      ['y', '2', '2', 'agrees'],
    ])
  })

  it('shows fan-out: the contribution rows to x sum to its gradient', async () => {
    const text = await render(['x*x*x', '--x', '2'])
    const backward = rows(text, '3. Backward pass')
    const parts = backward.filter((r) => /^∂L\/∂x \(\d of 3\)$/.test(r[0]!)).map((r) => Number(r[3]))
    expect(parts).toEqual([4, 4, 4])
    const sum = backward.find((r) => r[0] === '∂L/∂x' && r[1] === 'sum of 3 contributions')!
    expect(Number(sum[3])).toBe(parts.reduce((a, b) => a + b))
    expect(rows(text, '5. Gradients')[0]![1]).toBe(sum[3])
  })

  it('multiplies upstream by local on every backward row', async () => {
    const text = await render([TANH_NET, ...TANH_VALUES, '--precision', '17'])
    for (const [, , values, contribution] of rows(text, '3. Backward pass').slice(1)) {
      const factors = values!.split(' · ').map((f) => Number(f.replace(/[()]/g, '')))
      if (factors.length !== 2 || factors.some(Number.isNaN)) continue
      expect(Number(contribution)).toBeCloseTo(factors[0]! * factors[1]!, 12)
    }
  })

  it('limits the backward pass, chains and gradients to --wrt', async () => {
    const text = await render([TANH_NET, ...TANH_VALUES, '--wrt', 'v1', '--width', '1000'])
    expect(rows(text, '5. Gradients').map((r) => r[0])).toEqual(['v1'])
    // Only the edges into nodes that depend on v1: loss ← t12 ← yhat ← t11 ← t9 = v1·h1 ← v1.
    expect(rows(text, '3. Backward pass').map((r) => r[0])).toEqual(['∂loss/∂loss', '∂loss/∂t12', '∂loss/∂yhat', '∂loss/∂t11', '∂loss/∂t9', '∂loss/∂v1'])
    expect(text).toContain('∂loss/∂v1 = ∂(t12²)/∂t12 · ∂(yhat - y)/∂yhat · ∂(t11 + c)/∂t11 · ∂(t9 + t10)/∂t9 · ∂(v1·h1)/∂v1\n')
  })

  it('trims trailing zeros and never prints -0', async () => {
    const text = await render(['0.1 + 0.2 + x*0', '--x', '-1'])
    expect(rows(text, '1. Forward pass').map((r) => r[3])).toEqual(['0.3', '-1', '0', '0.3'])
    expect(text).not.toMatch(/-0\b(?!\.)/)
  })

  it('is the same bytes on every run', async () => {
    for (const [, argv] of GOLDEN) expect(await render(argv)).toBe(await render(argv))
  })

  it('caps the chain listing and says how many paths there are', async () => {
    // Each statement doubles the paths from the output to x: 2^20 of them.
    const program = ['a1 = x*x + x', ...Array.from({ length: 19 }, (_, k) => `a${k + 2} = a${k + 1}*a${k + 1} + a${k + 1}`)].join('\n')
    const text = await render([program, '--x', '0.5', '--wrt', 'x'])
    // Each statement triples the paths: a1 = x*x + x has 3 to x, and each next one multiplies by 3.
    expect(text).toMatch(new RegExp(`∂a20/∂x: ${3 ** 20} paths, more than listed here`))
  })
})

describe('box tables', () => {
  it('measure cells by code points, colour codes aside', () => {
    expect(displayWidth('∂L/∂x')).toBe(5)
    expect(displayWidth('\u001b[32magrees\u001b[39m')).toBe(6)
    expect(displayWidth('𝑥 = 1')).toBe(5)
  })

  it('take 200,000 rows (a 100,000-term sum) without overflowing the stack', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`t${i}`, String(i % 7)])
    const lines = boxTable(['node', 'value'], rows, false).split('\n')
    expect(lines).toHaveLength(200_000 + 4)
    expect(lines[1]).toBe('│ node    │ value │')
    expect(lines.at(-2)).toBe(`│ t199999 │ ${199_999 % 7}     │`)
  })
})

describe('--width', () => {
  const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length))

  it('fits the mission example and a 2-layer net in 80 columns by default', async () => {
    expect(widest((await runCli(['(x*w+b-y)^2', '--x', '1', '--w', '1'])).stdout)).toBeLessThanOrEqual(80)
    const net = await runCli([TANH_NET, ...TANH_VALUES])
    expect(widest(net.stdout)).toBeLessThanOrEqual(80)
    // A folded prose line continues with a hanging indent; a folded cell on the next line of its row.
    expect(net.stdout).toMatch(/\n {6}\S/)
  })

  it('folds at the width asked for, and not at all past the longest line', async () => {
    const wide = (await runCli([TANH_NET, ...TANH_VALUES, '--width', '200'])).stdout
    expect(widest(wide)).toBeGreaterThan(80)
    expect(widest(wide)).toBeLessThanOrEqual(200)
    const hundred = (await runCli([TANH_NET, ...TANH_VALUES, '--width', '100'])).stdout
    expect(widest(hundred)).toBeLessThanOrEqual(100)
    expect(widest(hundred)).toBeGreaterThan(80)
  })

  it('refuses a width it cannot fold at', async () => {
    const result = await runCli(['x*y', '--x', '1', '--y', '2', '--width', '20'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--width 20: expected a whole number of columns from 40 to 1000')
  })
})

describe('--chains', () => {
  it('short (the default) lists few short paths and summarizes the rest with the gradient', async () => {
    const text = await render([TANH_NET, ...TANH_VALUES])
    expect(text).toContain('  ∂loss/∂w11 = -0.746819 (1 path of 9 local derivatives; --chains all lists it)')
    expect(text).toContain('  ∂loss/∂c = ∂(t12²)/∂t12 · ∂(yhat - y)/∂yhat · ∂(t11 + c)/∂c\n')
    const all = await render([TANH_NET, ...TANH_VALUES, '--chains', 'all'])
    expect(all).toContain('  ∂loss/∂w11 = ∂(t12²)/∂t12 · ')
    expect(all).not.toContain('--chains all lists')
  })

  it('none leaves the section out, and a word it does not know is refused', async () => {
    const none = await render([TANH_NET, ...TANH_VALUES, '--chains', 'none'])
    expect(none).not.toContain('4. Chains')
    // Sections are numbered as printed: 3 is followed by 4.
    expect(none).toContain('4. Gradients')
    expect(none).not.toContain('5. Gradients')
    const both = await render(['x*y', '--x', '1', '--y', '2', '--chains', 'none', '--mode', 'both'])
    expect(both).toContain('5. Forward mode for x')
    const bad = await runCli(['x*y', '--x', '1', '--y', '2', '--chains', 'some'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--chains some: expected short, all or none')
  })
})

describe('warnings', () => {
  it('are written under the table of the rows they concern', async () => {
    const text = await render(['log(x - 2)*w', '--x', '1', '--w', '3'])
    const at = (s: string) => text.indexOf(s)
    // The NaN value under the forward table, before section 2; the NaN contribution under the backward table, before the chains.
    expect(at('⚠ t2 = log(t1) is NaN first here')).toBeGreaterThan(at('1. Forward pass'))
    expect(at('⚠ t2 = log(t1) is NaN first here')).toBeLessThan(at('2. Local derivatives'))
    expect(at('⚠ the contribution through ∂(t2·w)/∂w is NaN')).toBeGreaterThan(at('3. Backward pass'))
    expect(at('⚠ the contribution through ∂(t2·w)/∂w is NaN')).toBeLessThan(at('4. Chains'))
    expect(text).not.toContain('\nWarnings\n')
  })
})

describe('flags in the words of the table', () => {
  it("name a node by its expression as the forward table writes it, and write a convention's formula in the face's notation", async () => {
    expect(await render(['x/y', '--x', '1', '--y', '0'])).toContain('⚠ L = x/y is Infinity first here, from finite inputs x = 1, y = 0')
    expect(await render(['log(x - 1)/(y*2)', '--x', '1', '--y', '1'])).toContain('⚠ t2 = log(t1) is -Infinity first here, from finite inputs t1 = 0')
    expect(await render(['sqrt(x)', '--x', '0'])).toContain('its derivative 1/(2·sqrt(0))')
    expect(await render(['cbrt(x)', '--x', '0'])).toContain('its derivative 1/(3·cbrt(0)²)')
    const ascii = (await render(['sqrt(x)', '--x', '0', '--ascii', '--width', '200'])).split('\n').find((line) => line.includes('(!) dsqrt(x)/dx'))
    expect(ascii).toContain('its derivative 1/(2*sqrt(0)) is Infinity')
  })
})

describe('an operation that takes one input twice', () => {
  it("writes each local derivative as its rule gives it: x^x's power rule is x·x^(x - 1), not x^x collected", async () => {
    const text = await render(['x^x', '--x', '2'])
    // ∂(a^b)/∂a = b·a^(b−1) = 2·2 = 4 at x = 2; ∂(a^b)/∂b = a^b·log(a) = 4·log 2.
    expect(text).toMatch(/│ ∂\(x\[1\]\^x\[2\]\)\/∂x\[1\] │ power +│ x·x\^\(x - 1\) │ 4 +│/)
    expect(text).toMatch(new RegExp(`│ ∂\\(x\\[1\\]\\^x\\[2\\]\\)/∂x\\[2\\] │ exponential │ x\\^x·log\\(x\\) +│ ${(4 * Math.log(2)).toPrecision(6)} │`))
    // The gradient is the sum of both: 4 + 4·log 2.
    expect(text).toContain(`│ x        │ ${(4 + 4 * Math.log(2)).toPrecision(6)}`)
  })
})

describe('zero paths', () => {
  it('are counted in the short chains, not listed: with y = 1 the path through (1 - y) is 0', async () => {
    const text = await render(['p = sigmoid(w*x + b)\nloss = -(y*log(p) + (1 - y)*log(1 - p))', '--w', '0.5', '--x', '2', '--b', '0', '--y', '1'])
    const p = 1 / (1 + Math.exp(-1))
    // ∂loss/∂w = -(1/p)·p(1 - p)·x = -(1 - p)·2.
    expect(text).toContain(
      `  ∂loss/∂w = ${(-(1 - p) * 2).toPrecision(6)}\n      (2 paths of up to 8 local derivatives, summed; 1 of them is 0; --chains\n      all lists them)`,
    )
  })
})

describe("the tool's names in a bigger program", () => {
  it('are spelled out in the forward table in the program’s own names, and the mission example keeps its short rows', async () => {
    const text = await render([TANH_NET, ...TANH_VALUES])
    expect(text).toMatch(/│ t3 +│ add +│ t1 \+ t2 = w11·x1 \+ w12·x2 +│/)
    expect(text).toMatch(/│ t4 +│ add +│ t3 \+ b1 = w11·x1 \+ w12·x2 \+ b1 +│/)
    const mission = await render(['(x*w+b-y)^2', '--x', '1', '--w', '1'])
    expect(mission).toMatch(/│ t2 +│ add +│ t1 \+ b +│/)
  })
})

describe('folding a cell', () => {
  it('lets a first term wider than the room overflow it, then folds the rest at its spaces', async () => {
    const { wrapText } = await import('../src/render/wrap.js')
    expect(wrapText('(∂loss/∂t10)/4 copied to every entry', 12, '  ')).toEqual(['(∂loss/∂t10)/4', '  copied to', '  every', '  entry'])
    // With no space outside parentheses, a space inside them.
    expect(wrapText('∂loss/∂p ⊙ sigmoid(t2)·(1 - sigmoid(t2))', 16, '  ')).toEqual(['∂loss/∂p ⊙', '  sigmoid(t2)·(1', '  - sigmoid(t2))'])
    expect(wrapText('abcdefghijklmnop', 12, '  ')).toEqual(['abcdefghijklmnop'])
  })
})
