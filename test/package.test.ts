// The package as npm ships it: what `npm pack` puts in, an install of that tarball with no dev
// dependencies (its size, every format run from it, the library imported), and its types compiled
// by a project that has nothing else (no @types/node, no chalk), with skipLibCheck off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
let work: string
let tarball: string

/** Bytes under a directory. */
function sizeOf(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0)
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bpt-package-'))
  // dist/ is built by `npm test` before the tests run: pack it as it is.
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' })) as {
    filename: string
  }[]
  tarball = join(work, packed[0]!.filename)
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }))
  execFileSync(npm, ['install', tarball, '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: work, encoding: 'utf8' })
}, 120_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('the installed package', () => {
  it('is small: the bundles and Graphviz, no mathjs, chalk or commander (under 9 MB installed)', () => {
    const modules = join(work, 'node_modules')
    expect(
      readdirSync(modules)
        .filter((name) => !name.startsWith('.'))
        .sort(),
    ).toEqual(['@viz-js', 'backprop-tutor'])
    expect(sizeOf(modules)).toBeLessThan(9 * 1024 * 1024)
  })

  it('runs every format, and a tensor program, with no dev dependencies', () => {
    const bin = join(work, 'node_modules', '.bin', 'backprop-tutor')
    for (const format of ['table', 'json', 'markdown', 'latex', 'dot', 'mermaid', 'svg', 'html']) {
      const run = spawnSync(bin, ['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--format', format], { encoding: 'utf8' })
      expect([format, run.status, run.stderr]).toEqual([format, 0, ''])
    }
    const json = JSON.parse(spawnSync(bin, ['(x*w+b-y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--format', 'json'], { encoding: 'utf8' }).stdout)
    expect(json.gradients).toEqual({ x: -2, w: -2, b: -2, y: 2 })
    const page = spawnSync(bin, ['playground'], { encoding: 'utf8', maxBuffer: 8 * 1024 * 1024 })
    expect([page.status, page.stderr]).toEqual([0, ''])
    expect(page.stdout).toBe(readFileSync(join(root, 'dist', 'playground.html'), 'utf8'))
    const tensor = JSON.parse(spawnSync(bin, ['sum(W*x)', '--W', '[1, 2; 3, 4]', '--x', '[1, 1]', '--format', 'json'], { encoding: 'utf8' }).stdout)
    expect(tensor.gradients).toEqual({
      W: [
        [1, 1],
        [1, 1],
      ],
      x: [4, 6],
    })
  })

  it('is a library whose types stand alone', () => {
    writeFileSync(
      join(work, 'use.ts'),
      [
        "import { traceProgram, traceTensorProgram, FORMATS, renderJson, main, type Io, type Trace, type TensorTrace } from 'backprop-tutor'",
        "const { trace } = traceProgram('x*x', { x: 3 })",
        'const t: Trace = trace',
        'void FORMATS.table.render(t, { precision: 6, ascii: false, explain: false })',
        'void renderJson(t)',
        'void main',
        'const io: Partial<Io> = {}',
        'void io',
        "void traceTensorProgram('sum(x)', { x: '[1, 2]' }).then((r) => { const tt: TensorTrace = r.trace; return tt.value })",
      ].join('\n'),
    )
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: [] },
        files: ['use.ts'],
      }),
    )
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', work], { encoding: 'utf8' })
    expect(tsc.stdout + tsc.stderr).toBe('')
    expect(tsc.status).toBe(0)
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "import { traceProgram } from 'backprop-tutor'; console.log(traceProgram('x*x', { x: 3 }).trace.gradients[0].grad)"],
      { cwd: work, encoding: 'utf8' },
    )
    expect(run.stdout).toBe('6\n')
  })
})
