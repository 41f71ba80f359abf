// argv in, an exit code out: the options checked whole before any input is read, then one of the
// modes; every error becomes one line on stderr and a documented exit code.
import { CommanderError } from 'commander'
import { Chalk } from 'chalk'
import { InputError, caret, escapeControls, excerpt } from '../errors.js'
import { DEFAULT_PRECISION, isValidPrecision } from '../format.js'
import { DEFAULT_TOLERANCE } from '../modes/claims.js'
import { EXIT, OutputError, type Io } from './io.js'
import { BINDING_NAME, MODE_WORDS, UsageError, command, splitArgs, type Mode, type Parsed, type Request } from './command.js'
import { check, playground, quiz, traceMode } from './modes.js'

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const mode: Mode = MODE_WORDS.find((word) => word === argv[0]) ?? 'trace'
    const { options, positionals, bindings } = splitArgs(mode === 'trace' ? argv : argv.slice(1), mode)
    const program = command(mode)
    let help = ''
    program.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) })
    try {
      program.parse([...options, '--', ...positionals.slice(0, mode === 'playground' ? 0 : 1)], { from: 'user' })
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error
      if (error.exitCode !== 0) throw new UsageError(error.message.replace(/^error: /, ''))
      io.stdout(help)
      return EXIT.ok
    }
    if (mode === 'playground') {
      if (bindings.length > 0) throw new UsageError(`unknown option --${bindings[0]![0]}: the playground takes only -o FILE; values are typed into the page`)
      return await playground(program.opts<Parsed>(), positionals, io)
    }
    if (positionals.length > 1) {
      throw new UsageError(`unexpected argument "${excerpt(positionals[1]!)}": the program is one argument (quote it); bind values with --NAME VALUE`)
    }
    const request = checkedRequest(mode, program.opts<Parsed>(), positionals, bindings, io)
    if (mode === 'quiz') return await quiz(request, io)
    if (mode === 'check') return await check(request, io)
    return await traceMode(request, io)
  } catch (error) {
    return report(error, argv, io)
  }
}

/** The command line checked whole, before any input is read. */
function checkedRequest(mode: Mode, opts: Parsed, positionals: string[], bindings: [string, string][], io: Io): Request {
  const dashed = bindings.map(([name]) => name)
  if (opts.output === '') throw new UsageError('-o needs a file name; leave -o out to write to stdout')
  const precision = opts.precision === undefined ? DEFAULT_PRECISION : Number(opts.precision)
  if (!isValidPrecision(precision)) throw new UsageError(`--precision ${opts.precision}: expected a whole number from 1 to 17`)
  const tolerance = opts.tolerance === undefined ? DEFAULT_TOLERANCE : Number(opts.tolerance)
  if (!(tolerance >= 0 && tolerance < 1)) throw new UsageError(`--tolerance ${opts.tolerance}: expected a fraction from 0 to 1, such as 0.01 for 1%`)
  for (const spec of opts.set) {
    const eq = spec.indexOf('=')
    const name = spec.slice(0, eq)
    if (eq < 1 || !BINDING_NAME.test(name)) throw new UsageError(`--set ${spec}: expected NAME=VALUE, as in --set format=1`)
    bindings.push([name, spec.slice(eq + 1)])
  }
  // Keyed by the user's names, which may be __proto__ or constructor: an object with no prototype.
  const values: Record<string, string> = Object.create(null)
  for (const [name, value] of bindings) {
    if (Object.hasOwn(values, name)) throw new InputError(`${name} is bound twice (--${name} ${values[name]} and --${name} ${value}); bind it once`)
    values[name] = value
  }
  const chalkFor = (toFile: boolean) => new Chalk({ level: opts.color && !toFile ? io.colorLevel : 0 })
  return { mode, opts, dashed, positionals, values, precision, tolerance, chalkFor }
}

/**
 * Every error as one line on stderr (a caret under the place, for a program) and its exit code.
 * Messages quote the user's text through excerpt(); escaping here too means no message, however
 * it was made, can drive the terminal.
 */
function report(error: unknown, argv: string[], io: Io): number {
  const stderr = io.stderr
  io = { ...io, stderr: (text) => stderr(escapeControls(text, true)) }
  if (error instanceof InputError) {
    const where = error.offset !== undefined && error.source !== undefined ? `\n${caret(error.source, error.offset)}` : ''
    io.stderr(`backprop-tutor: error: ${error.message}${where}\n`)
    return EXIT.input
  }
  if (error instanceof OutputError) {
    io.stderr(`backprop-tutor: error: cannot write ${error.target}: ${error.message} (${error.code})\n`)
    return EXIT.output
  }
  if (error instanceof UsageError) {
    const mode = MODE_WORDS.includes(argv[0] as Mode) ? ` ${argv[0]}` : ''
    io.stderr(`backprop-tutor: error: ${error.message}\nRun backprop-tutor${mode} --help for usage.\n`)
    return EXIT.usage
  }
  const detail = process.env.BACKPROP_TUTOR_DEBUG ? `\n${(error as Error).stack}` : ''
  io.stderr(`backprop-tutor: internal error: ${(error as Error)?.message ?? String(error)}; please report it with the command you ran${detail}\n`)
  return EXIT.internal
}
