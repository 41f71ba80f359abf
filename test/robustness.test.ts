// Hostile and broken input: a trace or one clear message, in bounded time, and nothing evaluated.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import { isUtf8 } from 'node:buffer'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseProgram } from '../src/parse.js'
import { LIMITS } from '../src/limits.js'
import { InputError } from '../src/errors.js'
import { NotText, TextChecker } from '../src/cli/text.js'
import { childEnv, json, runCli } from './helpers.js'

/** The CLI in-process; what -o writes counts as output. */
async function run(argv: string[], answers: string[] = []) {
  const result = await runCli(argv, { answers })
  return { ...result, stdout: result.stdout + Object.values(result.written).join('') }
}

/** What every run must look like: output and exit 0 (or check's 3), or one error message and exit 1 or 2. */
function expectCleanOutcome(result: { code: number; stdout: string; stderr: string }) {
  expect(result.stderr).not.toMatch(/internal error|RangeError|Maximum call stack|\n\s+at /)
  if (result.code === 0 || result.code === 3) {
    expect(result.stdout.length).toBeGreaterThan(0)
  } else {
    expect([1, 2]).toContain(result.code)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^backprop-tutor: error: \S/)
    expect(result.stderr.match(/backprop-tutor: error:/g)).toHaveLength(1)
  }
}

const TOKENS = [
  'x',
  'y',
  'w',
  '1',
  '2.5',
  '1e-3',
  '0',
  'pi',
  'e',
  '+',
  '-',
  '*',
  '/',
  '^',
  '(',
  ')',
  ',',
  ';',
  '\n',
  '=',
  ' ',
  'sin',
  'log',
  'max',
  'relu',
  'tanh',
  'sqrt',
  'pow',
  'import',
  'evaluate',
  'parse',
  'createUnit',
  'f',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '.',
  '%',
  '!',
  '?',
  ':',
  '<',
  '==',
  'mod',
  'to',
  '#',
  'α',
  '中',
  '\u0000',
  '\\',
  '@',
  '&',
  '|',
  '~',
  'NaN',
  'Infinity',
  'true',
]

describe('fuzz: random text never crashes the CLI', () => {
  it('random strings give a trace or one clear error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), async (text) => {
        expectCleanOutcome(await run([text, '--x', '1', '--y', '2']))
      }),
      { numRuns: 1500, seed: 11 },
    )
  })

  it('token soups give a trace or one clear error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }), fc.boolean(), async (tokens, asJson) => {
        const argv = [tokens.join(''), '--x', '0.5', '--y', '-2', '--w', '3']
        expectCleanOutcome(await run(asJson ? [...argv, '--format', 'json'] : argv))
      }),
      { numRuns: 2500, seed: 12 },
    )
  })

  it('random claims and quiz answers give verdicts, hints or one clear error', async () => {
    const claimTokens = [...TOKENS, 'd', '∂', 'dL', 'L', '/', 'd(', 't1', '−', '²', '·']
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...claimTokens), { maxLength: 16 }), async (tokens) => {
        const text = tokens.join('')
        expectCleanOutcome(await run(['check', 'x*w + y', '--x', '1', '--w', '2', '--y', '3', '--claim', text]))
        const quiz = await run(['quiz', 'x*w + y', '--x', '1', '--w', '2', '--y', '3'], [text, text, text, text])
        expectCleanOutcome(quiz)
        expect(quiz.stdout).toMatch(/Score: \d+ of \d+ right at the first try/)
      }),
      { numRuns: 600, seed: 14 },
    )
  })

  it('random option lists for quiz and check give a run or one clear error', async () => {
    const pieces = [
      'x*y',
      '--x',
      '--y',
      '1',
      '-2',
      '--claim',
      'dL/dx = 2',
      'dL/dy = 7',
      '--claims',
      'c.txt',
      '--random',
      '--seed',
      '--level',
      '2',
      '9',
      '--tolerance',
      '0.5',
      '-1',
      '--format',
      'json',
      '--ascii',
      '-',
      '--',
      '--set',
      'x=1',
      '--lr',
    ]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('quiz', 'check'), fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), async (mode, argv) => {
        expectCleanOutcome(await run([mode, ...argv], ['1', '2', 'q']))
      }),
      { numRuns: 800, seed: 15 },
    )
  })

  it('random option lists give a trace or one clear error', async () => {
    const pieces = [
      'x*y',
      '--x',
      '--y',
      '1',
      '-2',
      'abc',
      '--set',
      'x=1',
      '=1',
      '--format',
      'json',
      'table',
      '--precision',
      '0',
      '3',
      '--wrt',
      'x',
      'q',
      '-o',
      '--',
      '-',
      '--ascii',
      '--explain',
      '--zzz',
      '--lr',
      '0.1',
      '--steps',
      '--params',
      '--data',
      'y',
      '1e400',
    ]
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), async (argv) => {
        // "-" would read stdin and "-o" write a file: both are faked by run(); the outcome is what counts.
        expectCleanOutcome(await run(['x*y + 1', ...argv]))
      }),
      { numRuns: 1000, seed: 13 },
    )
  })
})

describe('statements parsed one by one', () => {
  it.each([
    [')x', 'syntax error: Value expected at column 1'],
    ['  )\nx', 'syntax error: Value expected at line 1, column 3'],
    ['x\n)', 'syntax error: Value expected at line 2, column 1'],
    ['a = x;; b = a +', 'syntax error: Unexpected end of expression at column 16'],
    // A line that ends in an operator runs on into the next statement: the slip is told at the operator.
    [
      'y = x +\n\nL = y*2',
      'syntax error: the line ends with +, which needs an operand after it (an expression goes on past a line break after an operator) at line 1, column 7',
    ],
    ['y = x .*  # half\nL = y', 'syntax error: the line ends with .*, which needs an operand after it'],
  ])('still sees every character: %j', async (program, message) => {
    const result = await run([program, '--x', '1'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(message)
  })

  it('reports a syntax error in the last of 5,000 statements at its line', async () => {
    const program = [...Array.from({ length: 4999 }, (_, i) => `a${i} = x * ${i}`), 'b = (x']
    const result = await run([program.join('\n'), '--x', '1'])
    expect(result.stderr).toContain('syntax error: Parenthesis ) expected at line 5000, column 7')
  })

  it('reports problems in reading order', async () => {
    const result = await run(['a = sin\nb = (x', '--x', '1'])
    expect(result.stderr).toContain('sin is a function, not a value (at line 1, column 5)')
  })
})

describe('size: big programs finish, or are refused by a named limit', () => {
  it('traces a sum of 100,000 terms', async () => {
    const result = json(Array.from({ length: 100_000 }, () => 'x').join(' + '), { x: 0.5 })
    expect(result.value).toBe(50_000)
    expect(result.gradients.x).toBe(100_000)
  })

  it('traces a 10,000-statement program', () => {
    const program = Array.from({ length: 10_000 }, (_, i) => (i === 0 ? 'a0 = x' : `a${i} = a${i - 1} + x`)).join('\n')
    const result = json(program, { x: 2 })
    expect(result.value).toBe(20_000)
    expect(result.gradients.x).toBe(10_000)
    expect(result.output).toBe('a9999')
  })

  it('refuses 10,000 nested parentheses by the nesting limit', async () => {
    const result = await run(['('.repeat(10_000) + 'x' + ')'.repeat(10_000)])
    expectCleanOutcome(result)
    expect(result.stderr).toMatch(new RegExp(`nested more than ${LIMITS.maxNesting} deep \\(at column ${LIMITS.maxNesting + 1}\\)`))
  })

  it('refuses deep chains that need no parentheses (x^x^…, - - - x), by the same limit', async () => {
    for (const program of [Array(10_000).fill('x').join('^'), '- '.repeat(10_000) + 'x', 'x^-'.repeat(5_000) + 'x']) {
      const result = await run([program, '--x', '1'])
      expectCleanOutcome(result)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(new RegExp(`nested more than ${LIMITS.maxNesting} deep`))
    }
  })

  it('does not count flat sums and products as nesting', () => {
    const squares = Array.from({ length: 5_000 }, (_, i) => `-x${i}^2`).join(' - ')
    expect(() => parseProgram(squares)).not.toThrow()
    expect(() => parseProgram(Array(300).fill('x').join(' * -'))).not.toThrow()
  })

  it('refuses a 1 MB expression by the size limit, quickly', async () => {
    const program = 'x*w + '.repeat(174_763) + 'b'
    expect(program.length).toBeGreaterThan(1_000_000)
    const result = await run([program])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`more than ${LIMITS.maxTerms} numbers and names, the tutor's limit`))
  })

  it('keeps per-variable output short with thousands of symbolic variables', async () => {
    const program = Array.from({ length: 5_000 }, (_, i) => `v${i}`).join(' + ')
    const result = await run([program, '--format', 'json'])
    expect(result.code).toBe(0)
    const checks = JSON.parse(result.stdout).checks as { reason: string }[]
    expect(checks).toHaveLength(5_000)
    expect(checks[0]!.reason).toBe('needs every variable bound (v0, v1, v2, v3, v4, v5 and 4994 more are symbolic)')
    const table = await run([program])
    expect(table.stdout).toContain('v0, v1, v2')
    expect(table.stdout.length).toBeLessThan(5_000_000)
  })

  it(`refuses a program of more than ${LIMITS.maxNodes} nodes, though it has fewer numbers and names than the limit of those`, async () => {
    // -x + -x + …: a negation and a sum per name.
    const terms = LIMITS.maxNodes / 2 + 1
    const result = await run([Array.from({ length: terms }, () => '-x').join(' + '), '--x', '1', '--format', 'json'])
    expectCleanOutcome(result)
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `backprop-tutor: error: the program makes ${2 * terms} nodes (one per operation, variable and constant), more than the tutor's limit of ${LIMITS.maxNodes}; split it into smaller programs\n`,
    )
    expect(terms).toBeLessThan(LIMITS.maxTerms)
  })

  it('writes sin(sin(…(x)…)) 3,000 deep as too long, and its numbers where x is bound', async () => {
    const program = ['a = x', ...Array.from({ length: 3_000 }, () => 'a = sin(a)')].join('\n')
    const symbolic = await run([program, '--format', 'json'])
    expectCleanOutcome(symbolic)
    expect(JSON.parse(symbolic.stdout)).toMatchObject({ value: { tooLong: true }, gradients: { x: { tooLong: true } } })
    expect((await run([program])).code).toBe(0)
    // By the chain rule, step by step: d sin(a)/da = cos(a).
    let value = 0.5
    let grad = 1
    for (let k = 0; k < 3_000; k++) {
      grad *= Math.cos(value)
      value = Math.sin(value)
    }
    const bound = json(program, { x: 0.5 })
    expect(bound.value).toBeCloseTo(value, 12)
    expect(bound.gradients.x).toBeCloseTo(grad, 12)
  })

  it('gives a constant expression too long to write as its number: sin(sin(…(pi)…))', () => {
    const program = ['c = pi', ...Array.from({ length: 3_000 }, () => 'c = sin(c)'), 'L = x*c'].join('\n')
    let c = Math.PI
    for (let k = 0; k < 3_000; k++) c = Math.sin(c)
    expect(json(program, {}).gradients.x).toBe(c)
    expect(json('c = pi; c = sin(c); L = x*c', {}).gradients.x).toBe('sin(pi)')
  })

  it(`refuses a symbolic trace past ${LIMITS.maxSymbolicNodes} nodes, naming what to bind; the same program bound is traced`, async () => {
    // terms - 1 sums and the two variables.
    const terms = LIMITS.maxSymbolicNodes
    const program = Array.from({ length: terms }, (_, k) => (k % 2 ? 'x' : 'y')).join(' + ')
    const symbolic = await run([program, '--x', '1', '--format', 'json'])
    expectCleanOutcome(symbolic)
    expect(symbolic.code).toBe(1)
    expect(symbolic.stderr).toBe(
      `backprop-tutor: error: the program has ${terms + 1} nodes and no value for y; a trace in symbols (every value and gradient an expression) ` +
        `takes at most ${LIMITS.maxSymbolicNodes} nodes: give every variable a value (--y VALUE …) for a numeric trace, which takes up to ${LIMITS.maxNodes}\n`,
    )
    const bound = JSON.parse((await run([program, '--x', '1', '--y', '2', '--format', 'json'])).stdout)
    expect(bound.value).toBe(Math.floor(terms / 2) * 1 + Math.ceil(terms / 2) * 2)
    expect(bound.gradients).toEqual({ y: Math.ceil(terms / 2), x: Math.floor(terms / 2) })
    const under = Array.from({ length: LIMITS.maxSymbolicNodes / 2 }, (_, k) => `v${k}`).join(' + ')
    expect((await run([under, '--format', 'json'])).code).toBe(0)
  })

  it('writes the LaTeX of a program of a million lines, each a comment', async () => {
    const result = await runCli(['--file', 'p.txt', '--x', '2', '--format', 'latex'], { files: { 'p.txt': '#\n'.repeat(1_000_000) + 'x*y' } })
    expectCleanOutcome(result)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('\\frac{\\partial L}{\\partial y} &= 2')
  })

  it('refuses a program longer than 4 MiB', async () => {
    const result = await run(['x' + ' '.repeat(LIMITS.maxLength)])
    expect(result.stderr).toMatch(/the tutor's limit is 4194304 \(4 MiB\)/)
  })
})

describe('bad input, one message each', () => {
  const cases: [string[], RegExp][] = [
    [['x ='], /syntax error: Unexpected end of expression at column 4/],
    [['= x'], /syntax error: Value expected at column 1/],
    [['x = = 2'], /syntax error: Value expected/],
    [['sin'], /sin is a function, not a value \(at column 1\): call it, as in sin\(x\)/],
    // The caret is on the bare name, not on a call of the same function before it.
    [['a = tanh(x) * w\nb = tanh(a) * tanh', '--x', '1', '--w', '2'], /tanh is a function, not a value \(at line 2, column 15\)/],
    [['中 + 1'], /unexpected character "中" \(U\+4E2D\) at column 1/],
    [['x \u0000'], /unexpected character/],
    [['x', '--x', '1', '--x', '2'], /x is bound twice/],
    [['x', '--set', '=1'], /expected NAME=VALUE/],
  ]
  it.each(cases)('%j', async (argv, message) => {
    const result = await run(argv)
    expectCleanOutcome(result)
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(message)
  })

  it('accepts Greek and accented names, as mathjs does', () => {
    expect(json('α*β + é', { α: 2, β: 3, é: 1 }).gradients).toEqual({ α: 3, β: 2, é: 1 })
  })

  it('takes a program whose last statement is an assignment as its output', () => {
    expect(json('yhat = x*w; loss = (yhat - 1)^2', { x: 1, w: 2 })).toMatchObject({ output: 'loss', value: 1 })
  })
})

describe('the finite-difference check says inconclusive rather than wrong', () => {
  const cases: [string, Record<string, number>, string][] = [
    ['(x + 1e16) - 1e16', { x: 1 }, 'inconclusive'], // rounding: x + 1e16 keeps none of the step
    ['log(x)', { x: 1e-5 }, 'inconclusive'], // curvature: the step is as large as x
    ['exp(x)', { x: 700 }, 'agree'], // huge but well conditioned
    ['x*1e-300', { x: 1 }, 'agree'], // tiny but well conditioned
    ['x^3', { x: 0 }, 'agree'], // a zero gradient
    ['sin(x)*1e20', { x: 1 }, 'agree'],
  ]
  it.each(cases)('%s at %o: %s', (source, bindings, status) => {
    const check = json(source, bindings).checks[0]!
    expect(check.status).toBe(status)
    if (status === 'inconclusive') expect(check.reason).toMatch(/unreliable here/)
  })
})

describe('nothing the input says is run', () => {
  const refused = [
    '[1, 2]',
    '"s"',
    "'s'",
    'a.b',
    'a[1]',
    'f(x) = x^2',
    'import("fs")',
    'createUnit("foo")',
    'evaluate("1+1")',
    'parse("x")',
    '1:3',
    'a ? b : c',
    '{a: 1}',
    'x to cm',
    'compile("x")',
    'x == 1',
  ]
  it.each(refused)('%s is refused at parse time, before any graph or evaluation', (source) => {
    expect(() => parseProgram(source)).toThrow(InputError)
  })

  it('calls no evaluator: src/ never uses eval, Function, or mathjs evaluate/compile, and only parse.ts imports mathjs', () => {
    const dir = fileURLToPath(new URL('../src/', import.meta.url))
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
    expect(files.length).toBeGreaterThan(5)
    for (const file of files) {
      const text = readFileSync(dir + file, 'utf8')
      expect(text, file).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(|\.evaluate\s*\(|\.compile\s*\(|\bevaluate\s*\(|\bcompile\s*\(/)
      const importsMathjs = /from\s+['"]mathjs/.test(text)
      expect(importsMathjs, file).toBe(file === 'parse.ts')
    }
    const parse = readFileSync(dir + 'parse.ts', 'utf8')
    expect(parse.match(/import[^;]*from\s+['"]mathjs[^'"]*['"]/g)).toEqual(["import { create, parseDependencies } from 'mathjs/number'"])
  })
})

describe('determinism', () => {
  const BIN = fileURLToPath(new URL('../bin/backprop-tutor.cjs', import.meta.url))
  const ARGS = ['h = tanh(w*x + b); loss = (h - y)^2 + relu(x)', '--w', '0.5', '--x', '0', '--b', '0.1', '--y', '1']
  const strip = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r\n/g, '\n')
  const quoted = ARGS.map((a) => `'${a}'`).join(' ')

  it('prints the same bytes whatever the terminal width, with or without a terminal', () => {
    const piped = spawnSync(process.execPath, [BIN, ...ARGS], { encoding: 'utf8', env: childEnv({ COLUMNS: '40' }) }).stdout
    expect(piped.length).toBeGreaterThan(500)
    expect(spawnSync(process.execPath, [BIN, ...ARGS], { encoding: 'utf8', env: childEnv({ COLUMNS: '300' }) }).stdout).toBe(piped)
    for (const cols of [40, 250]) {
      const tty = spawnSync('script', ['-qec', `stty cols ${cols}; "${process.execPath}" "${BIN}" ${quoted}`, '/dev/null'], {
        encoding: 'utf8',
        env: childEnv({}, { terminal: true }),
      })
      expect(tty.stdout).toContain('\u001b[')
      expect(strip(tty.stdout)).toBe(piped)
    }
  })
})

/** Runs per property: a fixed-seed sample in npm test; BACKPROP_TUTOR_FUZZ_RUNS=20000 for a long hunt. */
const FUZZ_RUNS = Number(process.env.BACKPROP_TUTOR_FUZZ_RUNS) || 400

describe('hostile input in every format and mode, from a fixed seed', () => {
  const PROTO = Object.getOwnPropertyNames(Object.prototype)
  const name = fc.oneof(fc.constantFrom(...PROTO, 'x', 'w', 'y_hat', 'θ', 'e', 'pi'), fc.stringMatching(/^[a-z_$][a-z0-9_$]{0,6}$/))
  const junk = fc.constantFrom(
    '\r\n',
    '\r',
    '\uFEFF',
    '\u0000',
    '\u0007',
    '\u001b[31m',
    '\u2028',
    '\t',
    ' ',
    '\u00a0',
    '1e308',
    '1e-320',
    '((',
    '))',
    '--',
    '#',
    ';',
    '\n',
  )
  const piece = fc.oneof(
    name,
    junk,
    fc.constantFrom('+', '-', '*', '/', '^', '(', ')', '=', ',', 'tanh(', 'max(', 'log(', 'relu('),
    // Tensor programs: brackets, transposes, dotted operators, reductions.
    fc.constantFrom('[', ']', "'", '.*', './', '.^', 'sum(', 'mean(', 'softmax(', 'logsumexp(', 'dot(', 'norm(', 'x[1]', 'A[2, 1]', '[1, 2]', '[1, 2; 3, 4]'),
    fc.integer({ min: -9, max: 99 }).map(String),
  )
  const program = fc.array(piece, { minLength: 1, maxLength: 14 }).map((parts) => parts.join(''))
  const bindings = fc.array(
    fc.tuple(
      name,
      fc.oneof(
        fc.constantFrom(
          '1',
          '-2',
          '0',
          'pi/4',
          '1;2',
          '1e400',
          '',
          'x',
          '__proto__',
          '[1, 2]',
          '[1, 2; 3, 4]',
          'randn(2, 2)',
          'zeros(3)',
          '[[1], [2]]',
          '@x.csv',
          '@',
          '[]',
          'ones(0)',
        ),
        fc.double({ noNaN: true }).map(String),
      ),
    ),
    { maxLength: 3 },
  )
  const format = fc.constantFrom('table', 'json', 'markdown', 'latex', 'dot', 'mermaid')
  const mode = fc.constantFrom('trace', 'quiz', 'check', 'train')
  const extras = fc.subarray(['--ascii', '--explain', '--precision=3', '--wrt=x'])

  it('never prints a stack trace, an internal error or an undocumented exit code', async () => {
    await fc.assert(
      fc.asyncProperty(program, bindings, format, mode, extras, async (text, binds, fmt, m, more) => {
        const values = binds.flatMap(([n, v]) => ['--set', `${n}=${v}`])
        const argv =
          m === 'quiz'
            ? ['quiz', text, ...values]
            : m === 'check'
              ? ['check', text, ...values, '--claim', `dL/d${binds[0]?.[0] ?? 'x'} = 1`, ...(fmt === 'json' ? ['--format', 'json'] : [])]
              : [text, ...values, '--format', m === 'train' ? 'json' : fmt, ...(m === 'train' ? ['--lr', '0.1'] : more)]
        const result = await run(argv, ['1', '', 'x;1', '__proto__', 'q'])
        // Warnings (a binding the program does not use) may come before the one error.
        expectCleanOutcome({ ...result, stderr: result.stderr.replace(/^(backprop-tutor: warning: .*\n)+/, '') })
      }),
      { numRuns: FUZZ_RUNS, seed: 21 },
    )
  })

  it('never does either on tensor programs of random shapes, in every format and mode', async () => {
    // Expressions over A, B (matrices), u (a vector), s (a scalar) whose shapes are drawn at random,
    // so most fit and some do not: a trace, or one message naming the shapes.
    const operand = fc.constantFrom('A', 'B', 'u', 's', "A'", 'u*s', '[1, 2]', 'A[1, 1]', 'u[2]')
    const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        operand,
        fc.tuple(tie('e'), fc.constantFrom(' * ', ' + ', ' - ', ' .* ', ' ./ ', ' / '), tie('e')).map(([a, op, b]) => `(${a}${op}${b})`),
        fc.tuple(fc.constantFrom('tanh', 'relu', 'exp', 'sigmoid', 'abs', 'transpose'), tie('e')).map(([f, a]) => `${f}(${a})`),
        fc.tuple(fc.constantFrom('sum', 'mean', 'softmax', 'logsumexp'), tie('e'), fc.constantFrom('', ', 1', ', 2')).map(([f, a, d]) => `${f}(${a}${d})`),
      ),
    })).e
    const dims = fc.integer({ min: 1, max: 3 })
    const args = fc.tuple(
      expr,
      dims,
      dims,
      dims,
      fc.constantFrom('table', 'json', 'markdown', 'latex', 'dot', 'mermaid', 'svg', 'html'),
      fc.constantFrom('trace', 'quiz', 'check', 'train', 'entry', 'forward', 'wrt', 'page quiz'),
    )
    await fc.assert(
      fc.asyncProperty(args, async ([body, m, n, k, fmt, mode]) => {
        const values = ['--A', `randn(${m}, ${n})`, '--B', `randn(${n}, ${k})`, '--u', `randn(${n})`, '--s', '2']
        const program = `L = sum(${body})`
        const used = values.flatMap((v, i) => (i % 2 === 0 && new RegExp(`\\b${v.slice(2)}\\b`).test(program) ? [v, values[i + 1]!] : []))
        const argv =
          mode === 'quiz'
            ? ['quiz', program, ...used]
            : mode === 'check'
              ? ['check', program, ...used, '--claim', 'dL/dA = [1, 2]', '--claim', 'dL/du[1] = 0']
              : mode === 'train'
                ? [program, ...used, '--lr', '0.1', '--steps', '2', '--format', fmt === 'json' ? 'json' : 'table']
                : mode === 'forward'
                  ? [program, ...used, '--format', fmt, '--mode', 'both', '--tangent', 'A[1, 1]', '--tangent', `u=randn(${n})`]
                  : mode === 'wrt'
                    ? [program, ...used, '--format', fmt, '--wrt', 'u,A,t1']
                    : mode === 'page quiz'
                      ? [program, ...used, '--format', 'html', '--quiz']
                      : [program, ...used, '--format', fmt, ...(mode === 'entry' && ['table', 'json', 'markdown'].includes(fmt) ? ['--entry', 'u[1]'] : [])]
        const result = await run(argv, ['3', '2x3', "g*u'", '', 'q'])
        expectCleanOutcome({ ...result, stderr: result.stderr.replace(/^(backprop-tutor: warning: .*\n)+/, '') })
      }),
      { numRuns: FUZZ_RUNS, seed: 16 },
    )
  })

  it('refuses inputs past the limit without reading them whole, whatever they hold', async () => {
    for (const filler of ['x+', '\u0000', '\r\n', '(']) {
      const text = filler.repeat(Math.ceil((LIMITS.maxLength + 1) / filler.length))
      const stdin = await runCli(['-'], { stdin: text })
      expect(stdin.code).toBe(1)
      expect(stdin.stderr).toContain('is more than 4194304 characters long')
      const file = await runCli(['check', 'x', '--x', '1', '--claims', 'c.txt'], { files: { 'c.txt': text } })
      expect(file.code).toBe(1)
      expect(file.stderr).toContain('the claims file in c.txt is more than 4194304 characters long')
    }
  })
})

describe('nothing outside its own output touched: output targets, CSV first rows, binary input, from a fixed seed', () => {
  const BIN = fileURLToPath(new URL('../bin/backprop-tutor.cjs', import.meta.url))
  // Each case spawns the bin: a tenth of the in-process runs.
  const SPAWNED_RUNS = Math.max(24, Math.floor(FUZZ_RUNS / 10))
  const spawned = (args: string[], input?: Buffer) => spawnSync(process.execPath, [BIN, ...args], { env: childEnv(), input, encoding: 'utf8' })
  const oneLine = (stderr: string) => expect(stderr).toMatch(/^backprop-tutor: error: [^\n]*\n$/)

  it('random bytes on stdin and in --file are refused in one line naming a byte, or read as the text they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpt-bytes-'))
    const bytes = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 3000 }),
      // Mostly text with a few bytes of anything: the bad byte lands anywhere, UTF-8 sequences get cut.
      fc
        .tuple(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.uint8Array({ maxLength: 4 }), fc.string({ maxLength: 20 }))
        .map(([a, b, c]) => new Uint8Array([...Buffer.from(a), ...b, ...Buffer.from(c)])),
    )
    let k = 0
    await fc.assert(
      fc.asyncProperty(bytes, fc.boolean(), async (data, viaFile) => {
        const path = join(dir, `p${k++}`)
        if (viaFile) writeFileSync(path, data)
        const result = viaFile ? spawned(['--file', path, '--x', '1']) : spawned(['-', '--x', '1'], Buffer.from(data))
        const buffer = Buffer.from(data)
        const text = isUtf8(buffer) && !buffer.includes(0)
        expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
        if (!text) {
          expect(result.status).toBe(1)
          oneLine(result.stderr)
          const offset = Number(/is not UTF-8 text: byte (\d+) \(0x/.exec(result.stderr)?.[1])
          // The text before the named byte is good UTF-8; the named byte is where it stops being text.
          expect(isUtf8(buffer.subarray(0, offset)) && !buffer.subarray(0, offset).includes(0)).toBe(true)
          expect(offset).toBeLessThan(buffer.length)
        } else {
          expectCleanOutcome({ code: result.status!, stdout: result.stdout, stderr: result.stderr.replace(/^(backprop-tutor: warning: .*\n)+/, '') })
        }
      }),
      { numRuns: SPAWNED_RUNS, seed: 31 },
    )
  })

  it('finds the same first bad byte however the input is split into chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat(64), { maxLength: 6 }), (data, cuts) => {
        const whole = firstBad(data, [])
        expect(firstBad(data, cuts)).toEqual(whole)
        const buffer = Buffer.from(data)
        expect(whole === undefined).toBe(isUtf8(buffer) && !buffer.includes(0))
      }),
      { numRuns: FUZZ_RUNS * 5, seed: 32 },
    )
  })

  it('takes a CSV first line as a header only when no field is a number; otherwise names the first bad field', async () => {
    const field = fc.constantFrom(
      '1',
      '-2.5',
      '3e2',
      '.5',
      'NaN',
      'nan',
      'Infinity',
      '-inf',
      '1e999',
      '',
      'x',
      'abc',
      'y_1',
      '-',
      '1,5'.slice(0, 1),
      '1x',
      ' 7 ',
    )
    const NUMBERLIKE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$/i
    await fc.assert(
      fc.asyncProperty(fc.array(field, { minLength: 2, maxLength: 2 }), fc.constantFrom('', '# note\n', '\n\n'), async (first, before) => {
        const content = `${before}${first.join(',')}\n3,4\n`
        const result = await runCli(['sum(X)', '--X', '@d.csv', '--format', 'json'], { files: { 'd.csv': content } })
        const line = before.split('\n').length
        const trimmed = first.map((f) => f.trim())
        if (!trimmed.some((f) => NUMBERLIKE.test(f))) {
          expect(result.code).toBe(0)
          expect(JSON.parse(result.stdout).value).toBe(7)
          expect(result.stderr).toContain(`backprop-tutor: note: d.csv: line ${line} (`)
          return
        }
        const bad = trimmed.findIndex((f) => !NUMBERLIKE.test(f) || !Number.isFinite(Number(f)))
        if (bad < 0) {
          expect(result.code).toBe(0)
          expect(JSON.parse(result.stdout).value).toBe(Number(trimmed[0]) + Number(trimmed[1]) + 7)
          expect(result.stderr).toBe('')
        } else {
          expect(result.code).toBe(1)
          expect(result.stderr).toContain(`d.csv, line ${line}, field ${bad + 1}: "${trimmed[bad]}" is `)
        }
      }),
      { numRuns: FUZZ_RUNS, seed: 33 },
    )
  })

  it('writes -o onto files, links, FIFOs, devices and directories without replacing what is not its own', async () => {
    const root = process.getuid?.() === 0
    const kinds = ['new', 'file', 'link-to-file', 'link-to-missing', 'link-chain', 'fifo', 'device', 'directory', 'link-to-directory', 'loop'] as const
    const made = (kind: (typeof kinds)[number], dir: string): string => {
      const target = join(dir, 'out')
      if (kind === 'file') writeFileSync(target, 'earlier\n', { mode: 0o600 })
      if (kind === 'link-to-file' || kind === 'link-chain') writeFileSync(join(dir, 'real'), 'earlier\n')
      if (kind === 'link-to-file' || kind === 'link-to-missing') symlinkSync('real', target)
      if (kind === 'link-chain') (symlinkSync('real', join(dir, 'mid')), symlinkSync('mid', target))
      if (kind === 'fifo') spawnSync('mkfifo', [target])
      if (kind === 'device') spawnSync('mknod', ['-m', '666', target, 'c', '1', '3'])
      if (kind === 'directory') mkdirSync(target)
      if (kind === 'link-to-directory') (mkdirSync(join(dir, 'real')), symlinkSync('real', target))
      if (kind === 'loop') (symlinkSync('other', target), symlinkSync('out', join(dir, 'other')))
      return target
    }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds.filter((k) => root || k !== 'device')), fc.constantFrom('json', 'table', 'dot'), async (kind, format) => {
        const dir = mkdtempSync(join(tmpdir(), 'bpt-o-'))
        const target = made(kind, dir)
        const before = readdirSync(dir).sort()
        const expected = spawned(['x*w', '--x', '2', '--w', '3', '--format', format]).stdout
        let read = ''
        // A FIFO's reader, started before the writer, as a shell pipeline would.
        const reader = kind === 'fifo' ? spawn('cat', [target]) : undefined
        reader?.stdout.on('data', (chunk) => (read += chunk))
        const done = reader ? new Promise((resolve) => reader.on('close', resolve)) : Promise.resolve()
        const child = spawn(process.execPath, [BIN, 'x*w', '--x', '2', '--w', '3', '--format', format, '-o', target], { env: childEnv() })
        let stderr = ''
        child.stderr.on('data', (chunk) => (stderr += chunk))
        const status = await new Promise<number | null>((resolve) => child.on('close', resolve))
        await done
        // Whatever happened, nothing new is left beside the target (no temporary file).
        expect(readdirSync(dir).sort()).toEqual(
          kind === 'new' || kind === 'link-to-missing' ? [...new Set([...before, kind === 'new' ? 'out' : 'real'])].sort() : before,
        )
        if (kind === 'directory' || kind === 'link-to-directory' || kind === 'loop') {
          expect(status).toBe(74)
          oneLine(stderr)
          return
        }
        expect(stderr).toBe('')
        expect(status).toBe(0)
        if (kind === 'fifo') expect([read, lstatSync(target).isFIFO()]).toEqual([expected, true])
        else if (kind === 'device') expect(lstatSync(target).isCharacterDevice()).toBe(true)
        else if (kind.startsWith('link')) {
          expect(lstatSync(target).isSymbolicLink()).toBe(true)
          expect(readFileSync(join(dir, 'real'), 'utf8')).toBe(expected)
        } else {
          expect(readFileSync(target, 'utf8')).toBe(expected)
          if (kind === 'file') expect(lstatSync(target).mode & 0o777).toBe(0o600)
        }
      }),
      { numRuns: SPAWNED_RUNS, seed: 34 },
    )
  })
})

/** The first byte TextChecker refuses when `data` arrives cut at `cuts`, or undefined for text. */
function firstBad(data: Uint8Array, cuts: number[]): number | undefined {
  const checker = new TextChecker()
  const points = [...new Set(cuts.map((c) => Math.min(c, data.length)))].sort((a, b) => a - b)
  try {
    let from = 0
    for (const to of [...points, data.length]) {
      checker.push(data.subarray(from, to))
      from = to
    }
    checker.end()
    return undefined
  } catch (error) {
    if (!(error instanceof NotText)) throw error
    return error.offset
  }
}
