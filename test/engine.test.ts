// The trace as data: the graph's shape, the backward pass's bookkeeping, symbolic values.
import { describe, expect, it } from 'vitest'
import { traceProgram } from '../src/pipeline.js'
import { InputError } from '../src/errors.js'
import { json, runCli } from './helpers.js'

describe('the mission example', () => {
  it('fully bound: value 1 and gradients -2, -2, -2, 2', () => {
    const result = json('(x*w+b-y)^2', { x: 1, w: 1, b: 0, y: 2 })
    expect(result.value).toBe(1)
    expect(result.gradients).toEqual({ x: -2, w: -2, b: -2, y: 2 })
    expect(result.checks.map((c) => c.status)).toEqual(['agree', 'agree', 'agree', 'agree'])
  })

  it('with b and y unbound: symbolic values and gradients, numbers folded in', () => {
    const result = json('(x*w+b-y)^2', { x: 1, w: 1 })
    expect(result.value).toBe('(1 + b - y)^2')
    expect(result.gradients).toEqual({ x: '2*(1 + b - y)', w: '2*(1 + b - y)', b: '2*(1 + b - y)', y: '-2*(1 + b - y)' })
    expect(result.checks.every((c) => c.status === 'not-checked' && /b, y are symbolic/.test(c.reason!))).toBe(true)
  })

  it('gives the local derivative of the square symbolically in its input: 2*t3', () => {
    const result = json('(x*w+b-y)^2', { x: 1, w: 1, b: 0, y: 2 })
    const square = result.edges.find((e) => e.to === 'L')!
    expect(square).toMatchObject({ from: 't3', local: '2*t3', localValue: -2, upstream: 1, contribution: -2 })
  })
})

describe('graph shape', () => {
  it('keeps one leaf per variable and shows fan-out: x*x*x has three contributions to x', () => {
    const result = json('x*x*x', { x: 2 })
    expect(result.nodes.filter((n) => n.kind === 'variable')).toHaveLength(1)
    const x = result.nodes.find((n) => n.id === 'x')!
    expect(x.contributions).toHaveLength(3)
    const contributions = x.contributions.map((e) => result.edges[e]!.contribution as number)
    expect(contributions).toEqual([4, 4, 4])
    expect(result.gradients.x).toBe(contributions.reduce((a, b) => a + b))
    expect(result.chains[0]).toMatchObject({ variable: 'x', count: 3 })
    expect(result.chains[0]!.paths!.map((p) => p.product)).toEqual([4, 4, 4])
  })

  it('gives deterministic ids in topological order', () => {
    const a = json('sin(x)*cos(y) + x', { x: 1, y: 2 })
    const b = json('sin(x)*cos(y) + x', { x: 1, y: 2 })
    expect(a.nodes.map((n) => n.id)).toEqual(['x', 't1', 'y', 't2', 't3', 'L'])
    expect(b).toEqual(a)
    for (const [k, node] of a.nodes.entries()) {
      for (const input of node.inputs) expect(a.nodes.findIndex((n) => n.id === input)).toBeLessThan(k)
    }
  })

  it('runs the backward pass in reverse topological order from a seed of 1', () => {
    const result = json('yhat = x*w + b; loss = (yhat - y)^2', { x: 2, w: 0.5, b: 0, y: 2 })
    const order = result.backward.map((e) => result.nodes.findIndex((n) => n.id === result.edges[e]!.to))
    expect(order).toEqual([...order].sort((p, q) => q - p))
    expect(result.edges[result.backward[0]!]!.upstream).toBe(1)
    expect(result.output).toBe('loss')
    expect(result.gradients).toEqual({ x: -1, w: -4, b: -2, y: 2 })
  })

  it('names assigned nodes and the bare output L', () => {
    const result = json('yhat = x*w + b; (yhat - y)^2', { x: 1, w: 1, b: 0, y: 2 })
    expect(result.nodes.map((n) => n.label)).toEqual(['x', 'w', 't1', 'b', 'yhat', 'y', 't2', '2', 'L'])
    expect(json('L = x; L*2', { x: 1 }).output).toBe('Loss')
  })

  it('reads reassignment like a program: later statements see the newest value', () => {
    const result = json('c = x; c = c + 1; c = c*c', { x: 2 })
    expect(result.value).toBe(9)
    expect(result.gradients.x).toBe(6)
    expect(result.nodes.filter((n) => n.label.startsWith('c#')).map((n) => n.label)).toEqual(['c#1', 'c#2', 'c#3'])
  })

  it('reads a name used before its assignment as an input variable, and says so', () => {
    const { trace, warnings } = traceProgram('y = a + 1; a = y*2; a', { a: 3 })
    expect(trace.gradients.map((g) => g.name)).toEqual(['a'])
    expect(warnings.some((w) => /a is used before it is assigned/.test(w))).toBe(true)
    expect(trace.value).toBe(8)
  })

  it('keeps constant subexpressions out of the backward pass', () => {
    const result = json('x*(2+3)', { x: 1 })
    expect(result.edges.map((e) => `${e.to}<-${e.from}`)).toEqual(['L<-x'])
    expect(result.nodes.find((n) => n.id === 't1')!.grad).toBeNull()
    expect(result.gradients.x).toBe(5)
  })
})

describe('partial bindings', () => {
  it('folds bound numbers into symbolic values', () => {
    const result = json('tanh(w*x + b)', { w: 2, x: 3 })
    expect(result.value).toBe('tanh(6 + b)')
    expect(result.gradients.w).toBe('3*(1 - tanh(6 + b)^2)')
    expect(result.gradients.b).toBe('1 - tanh(6 + b)^2')
  })

  it('writes an expression past a readable size in the names of the program, never the tool-made ones', () => {
    const program = 'a = x*y + x/y + sin(x*y) + cos(x/y); b = a*a + a; c = b*b + b*a; c*c'
    const result = json(program)
    for (const node of result.nodes) expect(String(node.value)).not.toMatch(/\bt\d+\b/)
    expect(result.nodes.find((n) => n.label === 'b')!.value).toBe('a^2 + a')
    expect(String(result.value).length).toBeLessThan(80)
  })

  it('binds constant expressions and refuses values that are not numbers', () => {
    expect(json('sin(x)', { x: 'pi/2' }).value).toBe(1)
    expect(json('x', { x: '-2e-3' }).value).toBe(-0.002)
    expect(() => traceProgram('x', { x: 'abc' })).toThrow(/--x abc: not a number/)
    expect(() => traceProgram('x', { x: '1e400' })).toThrow(/not a finite number/)
    expect(() => traceProgram('x', { x: 'NaN' })).toThrow(/finite number/)
    expect(() => traceProgram('x', { x: '' })).toThrow(/empty/)
  })

  it('warns about a binding the program does not use, naming the closest variable', () => {
    const { warnings } = traceProgram('(x*w+b-y)^2', { x: 1, ww: 2 })
    expect(warnings).toEqual(['--ww is not a variable of the program, so it is ignored; did you mean --w?'])
  })

  it('refuses to bind an assigned name', () => {
    expect(() => traceProgram('yhat = x*w; yhat^2', { yhat: 1 })).toThrow(/yhat is assigned by the program/)
  })
})

describe('NaN and Infinity are flagged where they first appear', () => {
  it('flags the first NaN node with its inputs, not the nodes after it', () => {
    const result = json('y = log(x - 2); y*3 + 1', { x: 1 })
    const forward = result.flags.filter((f) => f.pass === 'forward')
    expect(forward).toHaveLength(1)
    expect(forward[0]!.node).toBe('y')
    expect(forward[0]!.message).toMatch(/is NaN first here, from finite inputs t1 = -1/)
    expect(result.value).toBe('NaN')
    // As in PyTorch the local derivatives are finite here (1/(x-2) = -1), so the gradient is a
    // number; the check refuses to vouch for it because the output itself is NaN.
    expect(result.gradients.x).toBe(-3)
    expect(result.checks[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringMatching(/not finite/) })
  })

  it('flags an infinite local derivative', () => {
    const result = json('log(x)', { x: 0 })
    expect(result.flags.map((f) => f.kind)).toEqual(['infinite', 'infinite'])
    expect(result.checks[0]!.status).toBe('not-checked')
  })
})

it('allows # comments, as mathjs does', () => {
  expect(json('x # the input\ny = 2*x # doubled\n', { x: 2 }).value).toBe(4)
})

describe('input errors name the problem and its position', () => {
  const cases: [string, RegExp, number | undefined][] = [
    ['2 +', /syntax error: Unexpected end of expression at column 4/, 3],
    ['w(x+b)', /unknown function w \(at column 1\)\. If you meant multiplication, write w\*\(x\+b\)/, 0],
    ['x + foo(2)', /unknown function foo \(at column 5\)/, 4],
    ['reluu(x)', /unknown function reluu \(at column 1\)\. Did you mean relu\? Supported/, 0],
    ['tahn(x)', /Did you mean tanh\?/, 0],
    ['sigmod(x)', /Did you mean sigmoid\?/, 0],
    ['sin(x, y)', /sin takes 1 argument, but got 2/, 0],
    ['max(x)', /max takes 2 arguments, but got 1/, 0],
    ['[1, 2]', /matrices/, 0],
    ['a.b', /property access/, 1],
    ['a[1]', /indexing/, 1],
    ['"s"', /strings/, 0],
    ['f(x) = x^2', /function definitions/, 0],
    ['a ? b : c', /conditionals/, 2],
    ['1:3', /ranges/, 1],
    ['{a: 1}', /objects/, 0],
    ['x mod y', /mod/, 2],
    ['x == y', /comparisons/, 2],
    ['x!', /factorial/, 1],
    ['x + 5%', /percent/, 5],
    ['import("fs")', /unknown function import/, 0],
    ['evaluate("1+1")', /unknown function evaluate/, 0],
    ['createUnit("foo")', /unknown function createUnit/, 0],
    ['pi = 3', /cannot assign to pi/, 0],
    ['x = 1; sin = 2', /cannot assign to sin/, 7],
    ['', /the program is empty/, undefined],
    ['   \n  ', /the program is empty/, undefined],
    ['true + x', /booleans/, 0],
  ]
  it.each(cases)('%j', (source, message, offset) => {
    let error: unknown
    try {
      traceProgram(source)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).message).toMatch(message)
    expect((error as InputError).offset).toBe(offset)
  })
})

describe('NaN and infinities told truly', () => {
  it('flags a finite gradient taken through a node that is NaN, naming the node', () => {
    const result = json('log(x)*y + x', { x: -1, y: 2 }) as unknown as { gradients: Record<string, unknown>; flags: Record<string, unknown>[] }
    expect(result.gradients.x).toBe(-1)
    const flag = result.flags.find((f) => f.code === 'through')!
    expect(flag).toMatchObject({ node: 'x', through: 't1', kind: 'nan' })
    expect(flag.message).toContain('∂L/∂x = -1 is taken through t1 = log(x), which is NaN here')
  })

  it('shows the ½ a tie takes beside its value, not a formula that says 0', async () => {
    const { stdout } = await runCli(['max(x, y)', '--x', '1', '--y', '1'])
    expect(stdout).toMatch(/│ ∂max\(x, y\)\/∂x\s+│ max\s+│ 1\/2\s+│ 0\.5 ⚠ │/)
    expect(stdout).not.toContain('[x > y]')
  })

  it('says a kink changes nothing where no gradient arrives at it, and does not blame its slopes', async () => {
    const { stdout } = await runCli(['relu(x)*x', '--x', '0', '--width', '1000'])
    expect(stdout).toContain('no gradient arrives at t1 here (∂L/∂t1 = 0), so the choice changes nothing')
    expect(stdout).not.toContain('one-sided slopes differ')
    // An infinite slope times that 0 is NaN: said so, beside the NaN the backward pass prints.
    const sqrt = (await runCli(['sqrt(x)*0', '--x', '0', '--width', '1000'])).stdout
    expect(sqrt).toContain('no gradient arrives at t1 here (∂L/∂t1 = 0), but 0 · Infinity is NaN, so the gradient through it is NaN (PyTorch gives NaN too)')
    expect(sqrt).not.toContain('the choice changes nothing')
    expect(sqrt).toMatch(/│ ∂L\/∂x\s+│ ∂L\/∂t1 · ∂sqrt\(x\)\/∂x │ 0 · Infinity │ NaN\s+│/)
  })

  it('says one-sided slopes differ only where they do: a kink reached with zero slope leaves L differentiable', async () => {
    // relu(x·x) is x² near 0 (both slopes 0); |x³| too; relu(x·y) at (0, 0) is flat in x and in y.
    for (const [program, values] of [
      ['relu(x*x)', ['--x', '0']],
      ['abs(x^3)', ['--x', '0']],
      ['relu(x*y)', ['--x', '0', '--y', '0']],
    ] as const) {
      const { stdout } = await runCli([program, ...values, '--width', '1000'])
      expect([program, stdout.includes('one-sided slopes differ')]).toEqual([program, false])
      expect(stdout).toMatch(/│ x\s+│ 0\s+│ 0\s+│ agrees/)
    }
    // relu(w·x + b) at x = 0: L is 0 for every w, so only x and b meet the kink's two slopes.
    const layer = await runCli(['relu(w*x + b)', '--w', '2', '--x', '0', '--b', '0', '--width', '1000'])
    expect(layer.stdout).toContain('x, b: the gradients pass a non-differentiable point (relu at L), where the two one-sided slopes differ')
    expect(layer.stdout).toMatch(/│ w\s+│ 0\s+│ 0\s+│ agrees/)
    // The tensor check measures the same: relu(x .* x) at [0] agrees; relu(x) at [0] does not.
    const tensor = (await runCli(['L = sum(relu(x .* x)) + sum(relu(y))', '--x', '[0]', '--y', '[0]', '--format', 'json'])).stdout
    expect(JSON.parse(tensor).checks.map((c: { status: string }) => c.status)).toEqual(['agree', 'inconclusive'])
  })

  it('calls d(0^b)/db for b > 0 the derivative it is, not a kink, and checks it; at b = 0 it is a convention', async () => {
    const flat = await runCli(['x^y', '--x', '0', '--y', '0.5', '--width', '1000'])
    expect(flat.stdout).toContain('d(0^b)/db = 0 here, as 0^b is 0 for every b > 0')
    expect(flat.stdout).not.toContain('one-sided slopes differ')
    expect(flat.stdout).toMatch(/│ y\s+│ 0\s+│ 0\s+│ agrees/)
    const jump = json('x^y', { x: 0, y: 0 }) as unknown as { flags: Record<string, unknown>[] }
    expect(jump.flags).toContainEqual(expect.objectContaining({ code: 'convention', convention: 'power-zero-base', kind: 'non-differentiable' }))
    // a^0 is 1 for every a: d/da = 0 is its derivative, at a = 0 as anywhere, and no kink.
    expect(jump.flags).toContainEqual(expect.objectContaining({ code: 'convention', convention: 'power-zero-exponent', kind: 'nan' }))
    const atZero = await runCli(['x^y', '--x', '0', '--y', '0', '--width', '1000'])
    expect(atZero.stdout).toMatch(/│ x\s+│ 0\s+│ 0\s+│ agrees/)
    // 0^b jumps at b = 0 (Infinity, 1, 0): both one-sided slopes are -Infinity, so they do not "differ".
    expect(atZero.stdout).toContain('y: the gradient passes pow at L, where 0^b jumps at b = 0, so a finite difference cannot measure it')
    const away = await runCli(['x^y', '--x', '2', '--y', '0', '--width', '1000'])
    expect(away.stdout).toMatch(/│ x\s+│ 0\s+│ 0\s+│ agrees/)
    expect(away.stdout).not.toContain('⚠')
  })

  it('says that ∞·0 has no value where a contribution is NaN from an infinite upstream', () => {
    const result = json('sqrt(x^2)', { x: 0 }) as unknown as { flags: Record<string, unknown>[] }
    const flag = result.flags.find((f) => f.code === 'indeterminate')!
    expect(flag.message).toBe('the contribution through ∂(x²)/∂x is NaN: upstream Infinity × local 0, and ∞·0 has no value (PyTorch gives NaN here too)')
    // A NaN upstream times a finite local is not ∞·0.
    expect((json('sqrt(log(x))*x', { x: -1 }) as unknown as { flags: { code: string }[] }).flags.map((f) => f.code)).not.toContain('indeterminate')
  })
})

describe('chains and contributions', () => {
  it.each(['x*x*x', 'x*x + y*y*y', 'a = x*y; b = a*x; a + b + x', 'tanh(x)*x + x/(1 + x)'])(
    'number path k as contribution k when each contribution has one path: %s',
    (source) => {
      const { trace } = traceProgram(source, { x: 0.7, y: 1.3 })
      for (const chain of trace.chains) {
        const node = trace.nodes.find((n) => n.id === chain.variable)!
        if (chain.paths!.length !== node.contributions.length) continue
        expect(chain.paths!.map((p) => p.edges[p.edges.length - 1])).toEqual(node.contributions)
      }
    },
  )

  it('heads each of several paths with its variable', async () => {
    const { stdout } = await runCli(['x*x + y*y*y', '--x', '2', '--y', '1'])
    expect(stdout).toContain('  ∂L/∂y, path 1: ∂(t1 + t3)/∂t3 · ∂(t2·y)/∂y\n')
    expect(stdout).not.toMatch(/^ {2}path \d/m)
  })
})
