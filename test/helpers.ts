import { readFile } from 'node:fs/promises'
import { traceProgram } from '../src/pipeline.js'
import { main, type Io } from '../src/cli.js'
import { TooLong } from '../src/cli/io.js'

/** In-memory input read as the real process reads it: refused past its limit. */
const capped = (text: string, limit: number) => {
  if (text.length > limit) throw new TooLong(limit)
  return text
}
import { renderJson } from '../src/render/json.js'

/** The JSON face of a program, parsed back: what tools outside see. */
export function json(source: string, bindings: Record<string, number | string> = {}) {
  return JSON.parse(renderJson(traceProgram(source, bindings).trace)) as {
    value: number | string
    gradients: Record<string, number | string>
    nodes: {
      id: string
      label: string
      kind: string
      op?: string
      value: number | string
      grad: number | string | null
      contributions: number[]
      inputs: string[]
    }[]
    edges: {
      from: string
      to: string
      slot: number
      rule: { id: string }
      local: string
      localValue: number | string
      upstream: number | string
      contribution: number | string
    }[]
    backward: number[]
    chains: { variable: string; count: number; paths?: { edges: number[]; product: number | string }[] }[]
    checks: { variable: string; status: string; grad?: number; estimate?: number; reason?: string }[]
    flags: { kind: string; pass: string; node: string; edge?: number; message: string }[]
    notes: string[]
    output: string
  }
}

/** Central difference of a plain JS function, the test's own oracle. */
export function centralDifference(f: (v: number) => number, x: number): number {
  const h = 1e-7 * Math.max(1, Math.abs(x))
  return (f(x + h) - f(x - h)) / (2 * h)
}

/** Runs the CLI in-process with fake files and streams; what -o writes is collected in `written`. */
export async function runCli(
  argv: string[],
  options: { stdin?: string; answers?: string[]; seed?: number; files?: Record<string, string>; colorLevel?: Io['colorLevel'] } = {},
) {
  let stdout = ''
  let stderr = ''
  const written: Record<string, string> = {}
  const answers = [...(options.answers ?? [])]
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async (limit) => capped(options.stdin ?? '', limit),
    readFile: async (path, limit) => {
      const text = options.files && Object.hasOwn(options.files, path) ? options.files[path] : undefined
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
      return capped(text, limit)
    },
    writeFile: async (path, text) => void (written[path] = typeof text === 'string' ? text : [...text].join('')),
    colorLevel: options.colorLevel ?? 0,
    // Answers as a pipe gives them: each echoed after its prompt.
    ask: async (prompt) => {
      const answer = answers.shift()
      stdout += answer === undefined ? `${prompt}\n` : `${prompt}${answer}\n`
      return answer
    },
    newSeed: () => options.seed ?? 1,
    // The page as the build wrote it (the tests run after npm run build).
    playground: () => readFile(new URL('../dist/playground.html', import.meta.url), 'utf8'),
  }
  const code = await main(argv, io)
  return { code, stdout, stderr, written }
}

/**
 * The environment of a child process with no colour preference of its own: NO_COLOR and
 * FORCE_COLOR removed (unless given), and, for `terminal`, the variables chalk's colour
 * detection reads set to those of a plain colour terminal. CI runners differ here (no TERM,
 * CI=true), and a test of "colour in a terminal" must not depend on where it runs.
 */
export function childEnv(extra: Record<string, string> = {}, options: { terminal?: boolean } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of ['NO_COLOR', 'FORCE_COLOR']) delete env[key]
  if (options.terminal) {
    for (const key of ['CI', 'TF_BUILD', 'TEAMCITY_VERSION', 'COLORTERM', 'TERM_PROGRAM']) delete env[key]
    env.TERM = 'xterm-256color'
  }
  return { ...env, ...extra }
}
