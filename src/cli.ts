// The command line: argv in, text and an exit code out. The only module that touches process,
// the terminal and files; `main(argv, io)` lets tests run it without spawning.
import { readFileSync, writeFileSync } from 'node:fs'
import { Command, CommanderError, Option } from 'commander'
import chalk, { Chalk } from 'chalk'
import { InputError, caret } from './errors.js'
import { DEFAULT_PRECISION, isValidPrecision } from './format.js'
import { traceProgram } from './pipeline.js'
import { FORMATS, isFormatName } from './render/index.js'

export { FORMATS }

export const EXIT = {
  ok: 0,
  /** The program or a value is wrong: the message says what and where. */
  input: 1,
  /** The command line is wrong: unknown option, missing program, unreadable file. */
  usage: 2,
  /** A bug in backprop-tutor. */
  internal: 70,
} as const

export interface Io {
  stdout: (text: string) => void
  stderr: (text: string) => void
  readStdin: () => Promise<string>
  readFile: (path: string) => string
  writeFile: (path: string, text: string) => void
  /** Chalk's color level for stdout (0 = none); chalk detects it from the TTY, NO_COLOR, FORCE_COLOR. */
  colorLevel: 0 | 1 | 2 | 3
}

class UsageError extends Error {}

/** package.json's version (a test keeps them equal); a constant, so start-up reads no file. */
export const VERSION = '0.1.0'

const EXAMPLES = `
Examples:
  backprop-tutor "(x*w+b-y)^2" --x 1 --w 1              the mission example: b and y stay symbolic
  backprop-tutor "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2 --format json
  backprop-tutor "yhat = x*w + b; loss = (yhat - y)^2" --x 2 --w 0.5 --b 0 --y 1
  backprop-tutor "sin(x)^2" --x pi/4 --explain
  backprop-tutor "(x*w+b-y)^2" --x 1 --w 1 --format markdown -o notes.md
  backprop-tutor "(x*w+b-y)^2" --x 1 --w 1 --format svg -o graph.svg
  backprop-tutor --file net.txt --set format=1           bind a variable named like an option
  echo "x*x*x" | backprop-tutor - --x 2

Values: --NAME VALUE or --NAME=VALUE binds a variable (negative numbers, 1e-3 and constant
expressions such as pi/4 work); unbound variables stay symbolic.

Exit codes:
  0   the trace was printed
  1   the program or a value is invalid (the message says what and where)
  2   the command line is invalid (unknown option, missing program, unreadable file)
  70  internal error in backprop-tutor
`

function command(): Command {
  const formats = Object.entries(FORMATS)
    .map(([name, format]) => `  ${`${name}:`.padEnd(10)}${format.description}`)
    .join('\n')
  return new Command('backprop-tutor')
    .description('Print step-by-step backpropagation traces of a scalar expression or a short program.')
    .version(VERSION, '-V, --version')
    .argument('[program]', 'the expression or statements (separated by ; or newlines); - reads stdin')
    .option('-f, --file <path>', 'read the program from a file')
    .addOption(new Option('--format <name>', 'output format, one of the formats below').default('table'))
    .option('--set <name=value>', 'bind a variable whose name collides with an option (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--wrt <names>', 'limit the backward pass, chains and gradients to these variables (comma-separated)')
    .option('--precision <digits>', `significant digits for numbers (default ${DEFAULT_PRECISION})`)
    .option('--explain', 'add one plain-language sentence per step')
    .option('--ascii', 'ASCII only: d instead of ∂, * instead of ·, ^2 instead of ²')
    .option('--standalone', 'with --format latex: a whole document, not a fragment')
    .option('--no-color', 'no color, even in a terminal (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('-o, --output <path>', 'write the output to a file instead of stdout')
    .addHelpText('after', `\nFormats:\n${formats}\n${EXAMPLES}`)
    // The same help in every terminal, as for the traces.
    .configureHelp({ helpWidth: 100 })
    .exitOverride()
    .showSuggestionAfterError(true)
}

/** Long options that take a value; every other --NAME that is not an option binds a variable. */
const VALUE_OPTIONS = new Set(['file', 'format', 'set', 'wrt', 'precision', 'output'])
const FLAG_OPTIONS = new Set(['explain', 'ascii', 'standalone', 'no-color', 'color', 'help', 'version'])
const SHORT_OPTIONS = new Set(['-f', '-o', '-h', '-V'])

/** Splits argv into what commander should see and the --NAME VALUE bindings. */
function splitArgs(argv: string[]): { options: string[]; positionals: string[]; bindings: [string, string][] } {
  const options: string[] = []
  const positionals: string[] = []
  const bindings: [string, string][] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (token === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (token.startsWith('--')) {
      const eq = token.indexOf('=')
      const name = token.slice(2, eq < 0 ? undefined : eq)
      if (VALUE_OPTIONS.has(name) || FLAG_OPTIONS.has(name)) {
        options.push(token)
        if (VALUE_OPTIONS.has(name) && eq < 0) options.push(optionValue(argv, ++i, token))
        continue
      }
      if (!/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name)) throw new UsageError(`unknown option ${token}`)
      if (eq >= 0) bindings.push([name, token.slice(eq + 1)])
      else if (i + 1 < argv.length) bindings.push([name, argv[++i]!])
      else throw new UsageError(`--${name} needs a value, as in --${name} 1`)
      continue
    }
    if (SHORT_OPTIONS.has(token)) {
      options.push(token)
      if (token === '-f' || token === '-o') options.push(optionValue(argv, ++i, token))
      continue
    }
    // Anything else, including "-x^2" and "-", is the program.
    positionals.push(token)
  }
  return { options, positionals, bindings }
}

function optionValue(argv: string[], i: number, option: string): string {
  const value = argv[i]
  if (value === undefined || value === '--') throw new UsageError(`${option} needs a value`)
  return value
}

interface Parsed {
  file?: string
  format: string
  set: string[]
  wrt?: string
  precision?: string
  explain?: boolean
  ascii?: boolean
  standalone?: boolean
  color: boolean
  output?: string
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const { options, positionals, bindings } = splitArgs(argv)
    const program = command()
    let help = ''
    program.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) })
    try {
      program.parse([...options, '--', ...positionals.slice(0, 1)], { from: 'user' })
    } catch (error) {
      if (error instanceof CommanderError) {
        if (error.exitCode === 0) {
          io.stdout(help)
          return EXIT.ok
        }
        throw new UsageError(error.message.replace(/^error: /, ''))
      }
      throw error
    }
    if (positionals.length > 1) {
      throw new UsageError(`unexpected argument "${positionals[1]}": the program is one argument (quote it); bind values with --NAME VALUE`)
    }
    const opts = program.opts<Parsed>()
    // The command line is checked whole before any input is read.
    if (!isFormatName(opts.format)) {
      throw new UsageError(`unknown format "${opts.format}"; the formats are ${Object.keys(FORMATS).join(', ')}`)
    }
    const precision = opts.precision === undefined ? DEFAULT_PRECISION : Number(opts.precision)
    if (!isValidPrecision(precision)) throw new UsageError(`--precision ${opts.precision}: expected a whole number from 1 to 17`)
    if (opts.standalone && opts.format !== 'latex') throw new UsageError('--standalone goes with --format latex')
    const source = await readProgram(positionals[0], opts.file, io)
    const values: Record<string, string> = {}
    for (const spec of opts.set) {
      const eq = spec.indexOf('=')
      const name = spec.slice(0, eq)
      if (eq < 1 || !/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name)) throw new UsageError(`--set ${spec}: expected NAME=VALUE, as in --set format=1`)
      bindings.push([name, spec.slice(eq + 1)])
    }
    for (const [name, value] of bindings) {
      if (Object.hasOwn(values, name)) throw new InputError(`${name} is bound twice (--${name} ${values[name]} and --${name} ${value}); bind it once`)
      values[name] = value
    }

    const { trace, warnings } = traceProgram(source, values)
    const wrt = opts.wrt?.split(',').map((s) => s.trim()).filter(Boolean)
    for (const name of wrt ?? []) {
      if (!trace.gradients.some((g) => g.name === name)) {
        throw new InputError(`--wrt ${name}: the program has no variable ${name} (its variables: ${trace.gradients.map((g) => g.name).join(', ') || 'none'})`)
      }
    }
    for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
    const level = opts.color && !opts.output ? io.colorLevel : 0
    const text = await FORMATS[opts.format].render(trace, {
      precision,
      ascii: Boolean(opts.ascii),
      explain: Boolean(opts.explain),
      standalone: Boolean(opts.standalone),
      ...(wrt ? { wrt } : {}),
      chalk: new Chalk({ level }),
    })
    if (opts.output) {
      try {
        io.writeFile(opts.output, text)
      } catch (error) {
        throw new UsageError(`cannot write ${opts.output}: ${(error as Error).message}`)
      }
    } else {
      io.stdout(text)
    }
    return EXIT.ok
  } catch (error) {
    if (error instanceof InputError) {
      const where = error.offset !== undefined && error.source !== undefined ? `\n${caret(error.source, error.offset)}` : ''
      io.stderr(`backprop-tutor: error: ${error.message}${where}\n`)
      return EXIT.input
    }
    if (error instanceof UsageError) {
      io.stderr(`backprop-tutor: error: ${error.message}\nRun backprop-tutor --help for usage.\n`)
      return EXIT.usage
    }
    const detail = process.env.BACKPROP_TUTOR_DEBUG ? `\n${(error as Error).stack}` : ''
    io.stderr(`backprop-tutor: internal error: ${(error as Error)?.message ?? String(error)}; please report it with the command you ran${detail}\n`)
    return EXIT.internal
  }
}

async function readProgram(argument: string | undefined, file: string | undefined, io: Io): Promise<string> {
  if (file !== undefined && argument !== undefined) throw new UsageError('give the program either as an argument or with --file, not both')
  if (file !== undefined) {
    try {
      return io.readFile(file)
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
    }
  }
  if (argument === undefined) throw new UsageError('no program given, as in: backprop-tutor "(x*w+b-y)^2" --x 1 --w 1')
  return argument === '-' ? io.readStdin() : argument
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Chalk's detection (TTY, FORCE_COLOR, --no-color), plus NO_COLOR (no-color.org), which chalk 5
 * does not read; as in Node itself, FORCE_COLOR wins over NO_COLOR.
 */
function colorLevel(env: NodeJS.ProcessEnv): Io['colorLevel'] {
  return env.NO_COLOR && !('FORCE_COLOR' in env) ? 0 : chalk.level
}

/** The real process: what bin/backprop-tutor.cjs calls. */
export async function run(): Promise<void> {
  // A reader that stops early (| head) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
  const io: Io = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => readAll(process.stdin),
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => writeFileSync(path, text),
    colorLevel: colorLevel(process.env),
  }
  process.exitCode = await main(process.argv.slice(2), io)
}
