// The command line, in-process through main(argv, io) and end to end through the built bin.
import { describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { childEnv, runCli } from './helpers.js'
import { main, type Io } from '../src/cli.js'
import { renderJson } from '../src/render/json.js'
import { renderTable, tableChunks } from '../src/render/table.js'
import { DEFAULT_PRECISION } from '../src/format.js'
import { traceProgram } from '../src/pipeline.js'
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BIN = fileURLToPath(new URL('../bin/backprop-tutor.cjs', import.meta.url))

/** The environment without any color settings, plus `extra`. */

const run = runCli

const json = async (argv: string[], options?: Parameters<typeof run>[1]) => {
  const result = await run([...argv, '--format', 'json'], options)
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout)
}

describe('bindings on the command line', () => {
  it('takes --NAME VALUE, --NAME=VALUE, negative numbers, exponents and constant expressions', async () => {
    const result = await json(['x*w + b - y', '--x', '2', '--w=-3', '--b', '1e-3', '--y', 'pi/4'])
    expect(result.bindings).toEqual({ x: 2, w: -3, b: 0.001, y: Math.PI / 4 })
    expect(result.value).toBeCloseTo(2 * -3 + 0.001 - Math.PI / 4, 14)
  })

  it('takes --set for names that collide with options', async () => {
    const result = await json(['format*2 + output', '--set', 'format=3', '--set', 'output=1'])
    expect(result.value).toBe(7)
  })

  it('reads a program that starts with a minus sign', async () => {
    expect((await json(['-x^2', '--x', '3'])).value).toBe(-9)
  })

  it('reads the program from stdin with - and from a file with --file', async () => {
    expect((await json(['-', '--x', '2'], { stdin: 'x*x*x' })).value).toBe(8)
    expect((await json(['--file', 'p.txt', '--x', '2'], { files: { 'p.txt': 'y = x + 1\ny*y' } })).value).toBe(9)
  })

  it('writes to a file with -o', async () => {
    const result = await run(['x + 1', '--x', '1', '--format', 'json', '-o', 'out.json'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(JSON.parse(result.written['out.json']!).value).toBe(2)
  })

  it('warns about a binding the program does not use, and still traces', async () => {
    const result = await run(['x*w', '--x', '1', '--ww', '2', '--format', 'json'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('backprop-tutor: warning: --ww is not a variable of the program, so it is ignored; did you mean --w?\n')
  })
})

describe('errors: one clear message on stderr, a documented exit code, no stack trace', () => {
  const cases: [string[], number, RegExp][] = [
    [['2 +'], 1, /error: syntax error: Unexpected end of expression at column 4\n {2}2 \+\n {5}\^\n$/],
    [['w(x+b)'], 1, /unknown function w .*write w\*\(x\+b\).*\n {2}w\(x\+b\)\n {2}\^/],
    [['sin(x, y)'], 1, /sin takes 1 argument, but got 2/],
    [['x', '--x', 'abc'], 1, /--x abc: not a number/],
    [['x', '--x'], 2, /--x needs a value/],
    [['x', '--x', '1', '--x', '2'], 1, /x is bound twice/],
    [['x', '--set', '=1'], 2, /--set =1: expected NAME=VALUE/],
    [['x', '--x', '1e400'], 1, /not a finite number/],
    [['x', '--x', 'NaN'], 1, /finite number/],
    [[], 2, /no program given/],
    [['x', 'y'], 2, /unexpected argument "y"/],
    [['x', '--format', 'pdf'], 2, /unknown format "pdf"; the formats are table, json, markdown, latex, dot, mermaid, svg/],
    [['x', '--standalone'], 2, /--standalone goes with --format latex/],
    [['x', '--precision', '0'], 2, /--precision 0: expected a whole number from 1 to 17/],
    [['x', '--wrt', 'q'], 1, /--wrt q: the program has no variable or node q/],
    [['--file', 'missing.txt'], 2, /cannot read missing.txt: no such file/],
    [['x', '--bad-option'], 2, /unknown option --bad-option/],
  ]
  it.each(cases)('%j', async (argv, code, message) => {
    const result = await run(argv)
    expect(result.code).toBe(code)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^backprop-tutor: error: /)
    expect(result.stderr).toMatch(message)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('reports the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect((await run(['--version'])).stdout).toBe(`${pkg.version}\n`)
  })

  it('documents the exit codes and every format in --help', async () => {
    const result = await run(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}70 /)
    expect(result.stdout).toContain('backprop-tutor "(x*w+b-y)^2" --x 1 --w 1')
    for (const format of ['table', 'json', 'markdown', 'latex', 'dot', 'mermaid', 'svg']) expect(result.stdout).toMatch(new RegExp(`\\n  ${format}:\\s+\\w`))
  })

  it("writes every mode's help as plain text: LaTeX examples with their backslashes, no control characters", async () => {
    for (const mode of [[], ['quiz'], ['check']]) {
      const { stdout } = await run([...mode, '--help'])
      expect(stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/)
    }
    expect((await run(['check', '--help'])).stdout).toContain('\\frac{\\partial loss}{\\partial x} = 2')
  })
})

describe('the built bin, spawned as a user runs it', () => {
  const spawn = (args: string[], input?: string) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, env: childEnv(), maxBuffer: 1 << 26 })

  it('prints the documented JSON for the fully bound mission example', () => {
    const result = spawn(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--format', 'json'])
    expect(result.status).toBe(0)
    const out = JSON.parse(result.stdout)
    expect(out.value).toBe(1)
    expect(out.gradients).toEqual({ x: -2, w: -2, b: -2, y: 2 })
  })

  it('prints symbolic gradients for the mission example with b and y unbound', () => {
    const result = spawn(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--format', 'json'])
    expect(result.status).toBe(0)
    const out = JSON.parse(result.stdout)
    expect(out.value).toBe('(1 + b - y)^2')
    expect(out.gradients.y).toBe('-2*(1 + b - y)')
  })

  it('reads stdin and files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpt-'))
    writeFileSync(join(dir, 'p.txt'), 'h = tanh(x)\nloss = (h - y)^2\n')
    const fromFile = spawn(['--file', join(dir, 'p.txt'), '--x', '0.5', '--y', '1', '--format', 'json', '-o', join(dir, 'out.json')])
    expect(fromFile.status).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).output).toBe('loss')
    const fromStdin = spawn(['-', '--x', '3', '--format', 'json'], 'x^2')
    expect(JSON.parse(fromStdin.stdout).gradients.x).toBe(6)
  })

  // 1,500 statements: the nodes and edges (json), the table rows (table) span several written pieces.
  const bigProgram = Array.from({ length: 1500 }, (_, i) => (i === 0 ? 'a0 = x' : `a${i} = tanh(a${i - 1}) * x`)).join('\n')
  const whole = {
    json: () => renderJson(traceProgram(bigProgram, { x: 0.9 }).trace),
    table: () => renderTable(traceProgram(bigProgram, { x: 0.9 }).trace, { precision: DEFAULT_PRECISION, ascii: false, explain: false }),
  }
  it.each(['json', 'table'] as const)('writes a big %s trace in pieces, the same bytes to stdout and to a file as the one-string renderer', (format) => {
    const dir = mkdtempSync(join(tmpdir(), 'bpt-'))
    writeFileSync(join(dir, 'p.txt'), bigProgram)
    const piped = spawn(['--file', join(dir, 'p.txt'), '--x', '0.9', '--format', format])
    expect(piped.status).toBe(0)
    expect(spawn(['--file', join(dir, 'p.txt'), '--x', '0.9', '--format', format, '-o', join(dir, 'out')]).status).toBe(0)
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe(piped.stdout)
    expect(piped.stdout).toBe(whole[format]())
  })

  it('writes every node and edge of a big JSON trace', () => {
    const out = JSON.parse(whole.json())
    expect(out.nodes).toHaveLength(1 + 1500 + 1499)
    expect(out.edges.at(-1)).toMatchObject({ to: 'a1499' })
  })

  it.each(['json', 'table'] as const)('waits for a slow reader before writing the next piece of %s', async (format) => {
    // A reader that is behind: each write returns a promise that settles later, and no piece
    // may be written before the one before it has been taken.
    let pending = false
    let pieces = ''
    let overlapped = false
    const io: Io = {
      stdout: (text) => {
        if (pending) overlapped = true
        pending = true
        pieces += text
        return new Promise((resolve) => setTimeout(() => ((pending = false), resolve()), 1))
      },
      stderr: () => {},
      readStdin: async () => '',
      readFile: async () => bigProgram,
      writeFile: async () => {},
      colorLevel: 0,
      ask: async () => undefined,
      newSeed: () => 1,
      playground: async () => '',
    }
    expect(await main(['--file', 'p.txt', '--x', '0.9', '--format', format], io)).toBe(0)
    expect(overlapped).toBe(false)
    expect(pieces).toBe(whole[format]())
  })

  it('stops quietly, exit 0, when the reader stops early (| head)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpt-'))
    writeFileSync(join(dir, 'p.txt'), bigProgram)
    // Far more than a pipe holds, so the tutor is still writing when head has gone.
    const command = `set -o pipefail; "${process.execPath}" "${BIN}" --file "${join(dir, 'p.txt')}" --x 0.9 --format json | head -c 100 > /dev/null`
    const result = spawnSync('bash', ['-c', command], { encoding: 'utf8', env: childEnv() })
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' })
  })

  it('writes the table view in pieces of whole lines', () => {
    const pieces = [...tableChunks(traceProgram(bigProgram, { x: 0.9 }).trace, { precision: DEFAULT_PRECISION, ascii: false, explain: false })]
    expect(pieces.length).toBeGreaterThan(10)
    for (const piece of pieces) expect(piece.endsWith('\n')).toBe(true)
    // Every edge has its row in section 2: a0 = x's one, then tanh's and the product's two for 1,499 statements.
    const locals = pieces.join('').split('\n2. Local derivatives')[1]!.split('\n3. Backward pass')[0]!
    expect(locals.match(/^│ ∂/gm)).toHaveLength(1 + 3 * 1499)
  })

  it('exits 1 with a caret and no stack trace on a syntax error', () => {
    const result = spawn(['(x*w+b-y)^'])
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('backprop-tutor: error: syntax error: Unexpected end of expression at column 11\n  (x*w+b-y)^\n            ^\n')
  })
})

describe('color', () => {
  const ESC = '\u001b['
  const spawnWith = (env: Record<string, string>, args: string[] = []) =>
    spawnSync(process.execPath, [BIN, 'relu(x) + x', '--x', '0', ...args], { encoding: 'utf8', env: childEnv(env) })

  it('is off when stdout is not a terminal', () => {
    const result = spawnWith({})
    expect(result.status).toBe(0)
    expect(result.stdout).not.toContain(ESC)
  })

  it('is on with FORCE_COLOR, in the tutor view only, and the text is otherwise the same', () => {
    const colored = spawnWith({ FORCE_COLOR: '1' })
    expect(colored.stdout).toContain(ESC)
    expect(colored.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toBe(spawnWith({}).stdout)
    expect(spawnWith({ FORCE_COLOR: '1' }, ['--format', 'json']).stdout).not.toContain(ESC)
    expect(spawnWith({ FORCE_COLOR: '1' }, ['-x']).stderr).not.toContain(ESC)
  })

  it('is off with --no-color, or NO_COLOR, even when forced by a terminal', () => {
    expect(spawnWith({ FORCE_COLOR: '1' }, ['--no-color']).stdout).not.toContain(ESC)
    const result = spawnWith({ NO_COLOR: '1' })
    expect(result.stdout).not.toContain(ESC)
  })

  it('is on in a real terminal (a pseudo-terminal from util-linux script), and off there with NO_COLOR', () => {
    const inTerminal = (env: Record<string, string>) =>
      spawnSync('script', ['-qec', `"${process.execPath}" "${BIN}" "x*x" --x 1`, '/dev/null'], { encoding: 'utf8', env: childEnv(env, { terminal: true }) })
    const plain = inTerminal({})
    expect(plain.status).toBe(0)
    expect(plain.stdout).toContain(ESC)
    expect(plain.stdout).toContain('∂L/∂x')
    const noColor = inTerminal({ NO_COLOR: '1' })
    expect(noColor.stdout).toContain('∂L/∂x')
    expect(noColor.stdout).not.toContain(ESC)
  })
})

describe('quiz, spawned', () => {
  it('reads answers piped to the built bin, and runs in a real terminal', () => {
    const piped = spawnSync(process.execPath, [BIN, 'quiz', 'x*w', '--x', '3', '--w', '4'], { input: '12\nw\nx\n1\n4\n3\n', encoding: 'utf8', env: childEnv() })
    expect(piped.status).toBe(0)
    expect(piped.stdout).toContain('> 12\n  ✓ right')
    expect(piped.stdout).toContain('Score: 6 of 6 right at the first try.')
    // A pseudo-terminal (util-linux script): readline reads the typed lines, with colour on.
    const tty = spawnSync('script', ['-qec', `"${process.execPath}" "${BIN}" quiz "x*w" --x 3 --w 4`, '/dev/null'], {
      input: '12\nq\n',
      encoding: 'utf8',
      env: childEnv({}, { terminal: true }),
      timeout: 20_000,
    })
    expect(tty.status).toBe(0)
    const plain = tty.stdout.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')
    expect(tty.stdout).toContain('\u001b[32m')
    expect(plain).toContain('✓ right')
    expect(plain).toContain('Score: 1 of 1 right at the first try (5 not answered).')
  })
})

describe('faults: inputs that never end, outputs that cannot be written', () => {
  const run = (args: string[], options: { input?: string; stdoutTo?: string } = {}) => {
    if (options.stdoutTo)
      return spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" "$@" > ${options.stdoutTo}`, 'bash', ...args], { encoding: 'utf8', env: childEnv() })
    return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: childEnv(), input: options.input })
  }

  it.each([
    [['--file', '/dev/zero'], 'the program in /dev/zero'],
    [['check', 'x', '--x', '1', '--claims', '/dev/zero'], 'the claims file in /dev/zero'],
  ])('refuses %j at its first byte, a NUL', (args, what) => {
    const result = run(args)
    expect(result.status).toBe(1)
    expect(result.stderr).toBe(`backprop-tutor: error: ${what} is not UTF-8 text: byte 0 (0x00) is a NUL byte, which text never has; is it a binary file?\n`)
  })

  it.each([
    ['-', 'the program on stdin'],
    ['--file /dev/stdin', 'the program in /dev/stdin'],
    ['check x --x 1 --claims /dev/stdin', 'the claims file in /dev/stdin'],
  ])('stops reading an endless text (%s) at the limit', (args, what) => {
    const result = spawnSync('bash', ['-c', `yes 'x +' | "${process.execPath}" "${BIN}" ${args}`], { encoding: 'utf8', env: childEnv() })
    expect(result.status).toBe(1)
    expect(result.stderr).toBe(`backprop-tutor: error: ${what} is more than 4194304 characters long; the tutor's limit is 4194304 (4 MiB)\n`)
  })

  it('says in one line that stdout is full, with its own exit code', () => {
    const result = run(['x*w', '--x', '1'], { stdoutTo: '/dev/full' })
    expect(result.status).toBe(74)
    expect(result.stderr).toBe('backprop-tutor: error: cannot write stdout: no space left on device (ENOSPC)\n')
  })

  it('refuses -o with no file name', () => {
    const result = run(['x', '--x', '1', '-o', ''])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('-o needs a file name')
  })

  it('leaves an earlier -o file as it was when the new one cannot be written, and no partial file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpt-full-'))
    // A full device: a 16 KiB tmpfs where the machine lets us mount one (root), else a directory
    // where no file can be made (a user's permissions).
    const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir]).status === 0
    try {
      writeFileSync(join(dir, 'out.txt'), 'the earlier notes\n')
      if (!mounted) spawnSync('chmod', ['555', dir])
      const program = Array.from({ length: 400 }, (_, k) => `a${k + 1} = tanh(a${k}) * w`).join('\n')
      const result = run([program, '--a0', '1', '--w', '0.5', '-o', join(dir, 'out.txt')])
      expect(result.status).toBe(74)
      expect(result.stderr).toMatch(/^backprop-tutor: error: cannot write .*out\.txt: (no space left on device \(ENOSPC\)|permission denied \(EACCES\))\n$/)
      expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('the earlier notes\n')
      expect(readdirSync(dir)).toEqual(['out.txt'])
    } finally {
      if (mounted) spawnSync('umount', [dir])
      else spawnSync('chmod', ['755', dir])
    }
  })

  it('leaves the earlier file as it was when killed mid-write, and no partial file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpt-kill-'))
    const path = join(dir, 'out.txt')
    writeFileSync(path, 'the earlier notes\n')
    writeFileSync(join(dir, 'p.txt'), Array.from({ length: 40_000 }, (_, k) => `x${k}`).join(' + '))
    const child = spawn(process.execPath, [BIN, '--file', join(dir, 'p.txt'), '-o', path], { env: childEnv() })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    // Killed once the new file is being written (37 MB of tables take a few seconds).
    for (let waited = 0; waited < 20_000 && !readdirSync(dir).some((name) => name.endsWith('.tmp')); waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(readdirSync(dir).some((name) => name.endsWith('.tmp'))).toBe(true)
    child.kill('SIGTERM')
    expect(await exited).toBe(143)
    expect(readFileSync(path, 'utf8')).toBe('the earlier notes\n')
    expect(readdirSync(dir).sort()).toEqual(['out.txt', 'p.txt'])
  })
})

describe('-o writes only its own file: devices, FIFOs, links and directories', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: childEnv() })
  const expected = () => run(['x^2', '--x', '3', '--format', 'json']).stdout
  const fresh = () => mkdtempSync(join(tmpdir(), 'bpt-out-'))

  it('writes a character device in place, as > would: a full one exits 74, and the device stays a device', () => {
    const dir = fresh()
    const full = join(dir, 'full')
    const nul = join(dir, 'null')
    // Device nodes need root (CAP_MKNOD); a FIFO, below, covers special files for everyone else.
    if (spawnSync('mknod', ['-m', '666', full, 'c', '1', '7']).status === 0 && spawnSync('mknod', ['-m', '666', nul, 'c', '1', '3']).status === 0) {
      const toFull = run(['x^2', '--x', '1', '-o', full])
      expect(toFull.status).toBe(74)
      expect(toFull.stderr).toBe(`backprop-tutor: error: cannot write ${full}: no space left on device (ENOSPC)\n`)
      expect(lstatSync(full).isCharacterDevice()).toBe(true)
      const toNull = run(['x^2', '--x', '1', '-o', nul])
      expect(toNull.status).toBe(0)
      expect(lstatSync(nul).isCharacterDevice()).toBe(true)
      expect(readdirSync(dir).sort()).toEqual(['full', 'null'])
    } else {
      expect(process.getuid?.()).not.toBe(0)
    }
  })

  it('writes a FIFO in place, to the reader at its other end', async () => {
    const dir = fresh()
    const fifo = join(dir, 'pipe')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const reader = spawn('cat', [fifo])
    let read = ''
    reader.stdout.on('data', (chunk) => (read += chunk))
    const closed = new Promise((resolve) => reader.on('close', resolve))
    const result = run(['x^2', '--x', '3', '--format', 'json', '-o', fifo])
    await closed
    expect(result.status).toBe(0)
    expect(read).toBe(expected())
    expect(lstatSync(fifo).isFIFO()).toBe(true)
    expect(readdirSync(dir)).toEqual(['pipe'])
  })

  it('writes /dev/stdout as the stream it names, leaving the link alone', () => {
    const result = run(['x^2', '--x', '3', '--format', 'json', '-o', '/dev/stdout'])
    expect(result.status).toBe(0)
    expect(result.stdout).toBe(expected())
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(true)
  })

  it('replaces a link’s target, not the link, keeping the target’s permissions', () => {
    const dir = fresh()
    writeFileSync(join(dir, 'notes.json'), 'the earlier notes\n', { mode: 0o640 })
    symlinkSync('notes.json', join(dir, 'link'))
    symlinkSync(join(dir, 'link'), join(dir, 'link2'))
    expect(run(['x^2', '--x', '3', '--format', 'json', '-o', join(dir, 'link2')]).status).toBe(0)
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true)
    expect(lstatSync(join(dir, 'link2')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(dir, 'notes.json'), 'utf8')).toBe(expected())
    expect(lstatSync(join(dir, 'notes.json')).mode & 0o777).toBe(0o640)
    expect(readdirSync(dir).sort()).toEqual(['link', 'link2', 'notes.json'])
  })

  it('creates a dangling link’s target beside it', () => {
    const dir = fresh()
    mkdirSync(join(dir, 'sub'))
    symlinkSync('sub/new.json', join(dir, 'link'))
    expect(run(['x^2', '--x', '3', '--format', 'json', '-o', join(dir, 'link')]).status).toBe(0)
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(dir, 'sub', 'new.json'), 'utf8')).toBe(expected())
  })

  it('refuses a file > could not write, and writes a file with other hard links in place', () => {
    const dir = fresh()
    const linked = join(dir, 'notes.json')
    writeFileSync(linked, 'the earlier notes\n')
    linkSync(linked, join(dir, 'other-name.json'))
    expect(run(['x^2', '--x', '3', '--format', 'json', '-o', linked]).status).toBe(0)
    expect(readFileSync(join(dir, 'other-name.json'), 'utf8')).toBe(expected())
    expect(lstatSync(linked).nlink).toBe(2)
    // Read-only: as an ordinary user, -o is refused as > is (root may write anything, with > too).
    const readOnly = join(dir, 'ro.json')
    writeFileSync(readOnly, 'kept\n', { mode: 0o444 })
    const nobody = process.getuid?.() === 0 ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0 : false
    if (nobody) {
      spawnSync('chmod', ['777', dir])
      const result = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'x^2', '--x', '3', '-o', readOnly], {
        encoding: 'utf8',
        env: childEnv(),
      })
      expect(result.status).toBe(74)
      expect(result.stderr).toBe(`backprop-tutor: error: cannot write ${readOnly}: permission denied (EACCES)\n`)
      expect(readFileSync(readOnly, 'utf8')).toBe('kept\n')
    } else if (process.getuid?.() !== 0) {
      expect(run(['x^2', '--x', '3', '-o', readOnly]).status).toBe(74)
      expect(readFileSync(readOnly, 'utf8')).toBe('kept\n')
    }
  })

  it('refuses a directory, a loop of links and a socket, touching none of them', () => {
    const dir = fresh()
    mkdirSync(join(dir, 'd'))
    symlinkSync('b', join(dir, 'a'))
    symlinkSync('a', join(dir, 'b'))
    const cases: [string, string][] = [
      [join(dir, 'd'), 'it is a directory (EISDIR)'],
      [join(dir, 'a'), 'too many levels of symbolic links (ELOOP)'],
    ]
    const socket = join(dir, 'sock')
    if (spawnSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(socket)})`]).status === 0)
      cases.push([socket, 'it is a socket, or a device with nothing behind it (ENXIO)'])
    for (const [target, reason] of cases) {
      const result = run(['x^2', '--x', '1', '-o', target])
      expect(result.status).toBe(74)
      expect(result.stderr).toBe(`backprop-tutor: error: cannot write ${target}: ${reason}\n`)
    }
    expect(readdirSync(join(dir, 'd'))).toEqual([])
    expect(lstatSync(join(dir, 'a')).isSymbolicLink()).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['a', 'b', 'd', ...(cases.length > 2 ? ['sock'] : [])])
  })
})

describe('binary input is refused, and no message echoes control characters', () => {
  const run = (args: string[], input?: Buffer | string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: childEnv(), input })

  it('refuses stdin, --file, --claims and a data file that is not UTF-8 text, in one line naming the byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpt-bin-'))
    const bytes = Buffer.from([0x78, 0x20, 0x2b, 0x20, 0xff, 0x31])
    writeFileSync(join(dir, 'p.bin'), bytes)
    const refusal = (what: string, why: string) => `backprop-tutor: error: ${what} is not UTF-8 text: ${why}; is it a binary file?\n`
    const cases: [string[], Buffer | undefined, string][] = [
      [['-'], bytes, refusal('the program on stdin', 'byte 4 (0xff) cannot start a UTF-8 character')],
      [['--file', join(dir, 'p.bin')], undefined, refusal(`the program in ${join(dir, 'p.bin')}`, 'byte 4 (0xff) cannot start a UTF-8 character')],
      [
        ['check', 'x', '--x', '1', '--claims', join(dir, 'p.bin')],
        undefined,
        refusal(`the claims file in ${join(dir, 'p.bin')}`, 'byte 4 (0xff) cannot start a UTF-8 character'),
      ],
      [['sum(X)', '--X', `@${join(dir, 'p.bin')}`], undefined, refusal(`the data file ${join(dir, 'p.bin')}`, 'byte 4 (0xff) cannot start a UTF-8 character')],
      [
        ['check', 'x', '--x', '1', '--trace', join(dir, 'p.bin')],
        undefined,
        refusal(`the trace file in ${join(dir, 'p.bin')}`, 'byte 4 (0xff) cannot start a UTF-8 character'),
      ],
      [['-'], Buffer.from('x\u0000+1'), refusal('the program on stdin', 'byte 1 (0x00) is a NUL byte, which text never has')],
      [['-'], Buffer.from([0x78, 0xe2, 0x82]), refusal('the program on stdin', 'byte 1 (0xe2) begins a UTF-8 character that the input cuts off')],
      [
        ['-'],
        Buffer.from([0x78, 0xe2, 0x28, 0xa1]),
        refusal('the program on stdin', 'byte 1 (0xe2) begins a UTF-8 character that byte 2 (0x28) does not continue'),
      ],
      // An overlong "/" and a UTF-16 surrogate are not UTF-8 either.
      [['-'], Buffer.from([0x31, 0x2b, 0xc0, 0xaf]), refusal('the program on stdin', 'byte 2 (0xc0) cannot start a UTF-8 character')],
      [['-'], Buffer.from([0xed, 0xa0, 0x80]), refusal('the program on stdin', 'byte 0 (0xed) begins a UTF-8 character that byte 1 (0xa0) does not continue')],
    ]
    for (const [args, input, message] of cases) {
      const result = run(args, input)
      expect(result.stderr).toBe(message)
      expect(result.status).toBe(1)
    }
  })

  it('reads UTF-8 text whatever its characters and however it is split into chunks', () => {
    // 70,000 é's cross many 64 KiB chunk boundaries in the middle of a character.
    const program = `x + ${'1 + '.repeat(10)}x*${'é'.repeat(1)}` + `\n# ${'é'.repeat(70_000)}\n`
    const result = run(['-', '--x', '2', '--é', '3', '--format', 'json'], Buffer.from(program))
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout).value).toBe(2 + 10 + 6)
  })

  it('refuses random bytes on stdin in one short line', () => {
    const random = Buffer.from(Array.from({ length: 3000 }, (_, k) => (k * 7919 + 13) % 256))
    const result = run(['-'], random)
    expect(result.status).toBe(1)
    expect(result.stderr.split('\n')).toHaveLength(2)
    expect(result.stderr).toMatch(/^backprop-tutor: error: the program on stdin is not UTF-8 text: byte \d+ \(0x[0-9a-f]{2}\)/)
  })

  it('escapes control characters and shortens what a message quotes of the input', () => {
    const colored = run(['-', '--x', '1'], 'x\u001b[31m + 1')
    expect(colored.stderr).toBe('backprop-tutor: error: syntax error: Syntax error in part "\\x1b[31m + 1" at column 2\n  x\\x1b[31m + 1\n   ^\n')
    const long = run(['-'], `x + (${'y'.repeat(3000)} 2 3`)
    expect(long.status).toBe(1)
    expect(long.stderr.length).toBeLessThan(400)
    expect(long.stderr).toContain('…')
    const argument = run(['x', '--x', '1', 'evil\u001b]0;title\u0007'])
    expect(argument.stderr).toContain('unexpected argument "evil\\x1b]0;title\\x07"')
    const claim = run(['check', 'x*y', '--x', '1', '--y', '2', '--claim', 'dL/dx = \u001b[2J'])
    expect(claim.stdout).toContain('dL/dx = \\x1b[2J')
    expect(claim.stdout + claim.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/)
  })
})
