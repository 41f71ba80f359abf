// Hostile and broken input: a trace or one clear message, in bounded time, and nothing evaluated.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseProgram } from '../src/parse.js'
import { LIMITS } from '../src/limits.js'
import { InputError } from '../src/errors.js'
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
      fc.constantFrom('table', 'json', 'markdown', 'latex', 'dot', 'mermaid'),
      fc.constantFrom('trace', 'quiz', 'check', 'train', 'entry'),
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
                : [program, ...used, '--format', fmt, ...(mode === 'entry' && fmt !== 'latex' && fmt !== 'dot' && fmt !== 'mermaid' ? ['--entry', 'u[1]'] : [])]
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
