// The command line: argv in, text and an exit code out. The only module that touches process,
// the terminal and files; `main(argv, io)` lets tests run it without spawning.
import { LIMITS } from './limits.js'
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Command, CommanderError, Option } from 'commander'
import chalk, { Chalk, type ChalkInstance } from 'chalk'
import { InputError, caret } from './errors.js'
import { DEFAULT_PRECISION, isValidPrecision } from './format.js'
import { traceProgram } from './pipeline.js'
import { FORMATS, isFormatName, type Format } from './render/index.js'
import { jsonChunks } from './render/json.js'
import { renderTraining } from './render/training.js'
import { renderClaims, renderClaimsJson } from './render/claims.js'
import { train, type Training, type TrainingRequest } from './modes/train.js'
import type { Trace } from './trace.js'
import { DEFAULT_TOLERANCE, checkClaims, parseClaim } from './modes/claims.js'
import { indexNodes } from './modes/refer.js'
import { quizQuestions, runQuiz } from './modes/quiz.js'
import { randomExercise, type Level } from './modes/exercise.js'

export { FORMATS }

export const EXIT = {
  ok: 0,
  /** The program or a value is wrong: the message says what and where. */
  input: 1,
  /** The command line is wrong: unknown option, missing program, unreadable file. */
  usage: 2,
  /** check: at least one claim is wrong (the output says which and why). */
  wrongClaim: 3,
  /** A bug in backprop-tutor. */
  internal: 70,
} as const

export interface Io {
  /** Writes to stdout; a promise when the reader is behind (a pipe), to be awaited before writing more. */
  stdout: (text: string) => void | Promise<void>
  stderr: (text: string) => void
  readStdin: () => Promise<string>
  readFile: (path: string) => string
  writeFile: (path: string, text: string | Iterable<string>) => void
  /** Chalk's color level for stdout (0 = none); chalk detects it from the TTY, NO_COLOR, FORCE_COLOR. */
  colorLevel: 0 | 1 | 2 | 3
  /** quiz: shows the prompt and reads the student's next line; undefined when the input ends. */
  ask: (prompt: string) => Promise<string | undefined>
  /** quiz --random without --seed: a fresh seed. */
  newSeed: () => number
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
  backprop-tutor "(x*w+b-y)^2" --x 2 --w 0.5 --b 0 --y 3 --data x,y --lr 0.1 --steps 5
  backprop-tutor --file net.txt --set format=1           bind a variable named like an option
  echo "x*x*x" | backprop-tutor - --x 2

Modes (each has its own --help):
  backprop-tutor quiz "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2     answer each step, with hints
  backprop-tutor quiz --random --seed 7 --level 2
  backprop-tutor check "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2 --claim "dL/dw = -2"

Values: --NAME VALUE or --NAME=VALUE binds a variable (negative numbers, 1e-3 and constant
expressions such as pi/4 work); unbound variables stay symbolic.

Exit codes:
  0   the trace was printed
  1   the program or a value is invalid (the message says what and where)
  2   the command line is invalid (unknown option, missing program, unreadable file)
  3   check: a claim is wrong
  70  internal error in backprop-tutor
`

const QUIZ_HELP = `
The quiz walks through the trace in order: each forward value, each local derivative (①), then
each upstream × local product (②). An answer is a number or an expression whose names stand for
their values (2*(-1), w, 1/(1+exp(-t1))); it counts as right within the tolerance (1% by default,
students round). A wrong answer gets a hint (the rule), then the formula with numbers, then the
answer. An empty line asks for the next hint; q stops. Answers may be piped in, one per line.

Examples:
  backprop-tutor quiz "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2
  backprop-tutor quiz --random --seed 7 --level 2
  printf '%s\\n' -2 -1 2 q | backprop-tutor quiz "x*w" --x 2 --w -1     answers piped in
`

const CHECK_HELP = `
A claim is d A / d B = VALUE, where A and B are node names (x, yhat, t2, L) or the expressions
they compute ((yhat - y)^2, x*w + b; operands of + and * in any order), and VALUE is a number or
an expression in the nodes' values (2*(yhat - y)). ∂ works as well as d. A claim about the
output's gradient is judged with the others: a wrong one is traced back to the first step where
your numbers depart from the true ones. Exit code 3 when a claim is wrong.

Examples:
  backprop-tutor check "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2 --claim "dL/dw = -2" --claim "dL/dx = 2"
  backprop-tutor check "yhat = x*w + b; loss = (yhat - y)^2" --x 1 --w 1 --b 0 --y 0 \\
    --claim "d loss / d (yhat - y) = 4"
  backprop-tutor check --file model.txt --claims my-work.txt --x 1 --w 1 --b 0 --y 0
`

type Mode = 'trace' | 'quiz' | 'check'

/** Per mode: long options that take a value, and flags; every other --NAME binds a variable. */
const MODE_OPTIONS: Record<Mode, { values: string[]; flags: string[] }> = {
  trace: {
    values: ['file', 'format', 'set', 'wrt', 'precision', 'output', 'lr', 'steps', 'params', 'data'],
    flags: ['explain', 'ascii', 'standalone', 'no-color', 'color', 'help', 'version'],
  },
  quiz: { values: ['file', 'set', 'precision', 'tolerance', 'seed', 'level'], flags: ['random', 'ascii', 'no-color', 'color', 'help'] },
  check: { values: ['file', 'format', 'set', 'precision', 'output', 'claim', 'claims', 'tolerance'], flags: ['ascii', 'no-color', 'color', 'help'] },
}

const repeatable = (v: string, acc: string[]) => [...acc, v]

function command(mode: Mode): Command {
  const program = new Command(mode === 'trace' ? 'backprop-tutor' : `backprop-tutor ${mode}`)
  if (mode === 'trace') {
    const formats = Object.entries(FORMATS)
      .map(([name, format]) => `  ${`${name}:`.padEnd(10)}${format.description}`)
      .join('\n')
    program
      .description('Print step-by-step backpropagation traces of a scalar expression or a short program.')
      .version(VERSION, '-V, --version')
      .argument('[program]', 'the expression or statements (separated by ; or newlines); - reads stdin')
      .option('-f, --file <path>', 'read the program from a file')
      .addOption(new Option('--format <name>', 'output format, one of the formats below').default('table'))
      .option('--set <name=value>', 'bind a variable whose name collides with an option (repeatable)', repeatable, [] as string[])
      .option('--wrt <names>', 'limit the backward pass, chains and gradients to these variables (comma-separated)')
      .option('--precision <digits>', `significant digits for numbers (default ${DEFAULT_PRECISION})`)
      .option('--explain', 'add one plain-language sentence per step')
      .option('--ascii', 'ASCII only: d instead of ∂, * instead of ·, ^2 instead of ²')
      .option('--standalone', 'with --format latex: a whole document, not a fragment')
      .option('--no-color', 'no color, even in a terminal (NO_COLOR and FORCE_COLOR are honoured too)')
      .option('-o, --output <path>', 'write the output to a file instead of stdout')
      .option('--lr <rate>', 'after the trace, gradient descent with this learning rate (table and json formats)')
      .option('--steps <n>', `with --lr: how many steps (default 1, at most ${LIMITS.maxSteps})`)
      .option('--params <names>', 'with --lr: the variables to update (default: every variable not in --data)')
      .option('--data <names>', 'with --lr: variables held fixed, such as inputs and targets')
      .addHelpText('after', `\nFormats:\n${formats}\n${EXAMPLES}`)
  } else if (mode === 'quiz') {
    program
      .description('Quiz yourself on the trace: each step is asked before it is shown.')
      .argument('[program]', 'the expression or statements (stdin holds the answers: use --file for a long program)')
      .option('-f, --file <path>', 'read the program from a file')
      .option('--set <name=value>', 'bind a variable whose name collides with an option (repeatable)', repeatable, [] as string[])
      .option('--random', 'a generated exercise instead of a program')
      .option('--seed <n>', 'with --random: the exercise number, to get the same one again')
      .option('--level <n>', 'with --random: 1 sums and products, 2 one function and a fan-out, 3 a small network (default 1)')
      .option('--tolerance <r>', `relative tolerance for answers (default ${DEFAULT_TOLERANCE})`)
      .option('--precision <digits>', `significant digits for numbers (default ${DEFAULT_PRECISION})`)
      .option('--ascii', 'ASCII only: d instead of ∂, * instead of ·')
      .option('--no-color', 'no color, even in a terminal')
      .addHelpText('after', QUIZ_HELP)
  } else {
    program
      .description('Check derivatives worked out by hand: which claims are right, and where a wrong one departs.')
      .argument('[program]', 'the expression or statements; - reads stdin')
      .option('-f, --file <path>', 'read the program from a file')
      .option('--set <name=value>', 'bind a variable whose name collides with an option (repeatable)', repeatable, [] as string[])
      .option('--claim <claim>', 'a claim such as "dL/dx = 4" (repeatable)', repeatable, [] as string[])
      .option('--claims <path>', 'a file of claims, one per line (# starts a comment)')
      .addOption(new Option('--format <name>', 'table or json').default('table'))
      .option('--tolerance <r>', `relative tolerance for a claim to count as right (default ${DEFAULT_TOLERANCE})`)
      .option('--precision <digits>', `significant digits for numbers (default ${DEFAULT_PRECISION})`)
      .option('--ascii', 'ASCII only: d instead of ∂, * instead of ·')
      .option('--no-color', 'no color, even in a terminal')
      .option('-o, --output <path>', 'write the verdicts to a file instead of stdout')
      .addHelpText('after', CHECK_HELP)
  }
  // The same help in every terminal, as for the traces.
  return program.configureHelp({ helpWidth: 100 }).exitOverride().showSuggestionAfterError(true)
}

const SHORT_OPTIONS = new Set(['-f', '-o', '-h', '-V'])
/** A name --NAME VALUE or --set NAME=VALUE can bind: a variable name as the parser reads it. */
const BINDING_NAME = /^[\p{L}_$][\p{L}\p{N}_$]*$/u

/** Splits argv into what commander should see and the --NAME VALUE bindings. */
function splitArgs(argv: string[], mode: Mode): { options: string[]; positionals: string[]; bindings: [string, string][] } {
  const valueOptions = new Set(MODE_OPTIONS[mode].values)
  const flagOptions = new Set(MODE_OPTIONS[mode].flags)
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
      if (valueOptions.has(name) || flagOptions.has(name)) {
        options.push(token)
        if (valueOptions.has(name) && eq < 0) options.push(optionValue(argv, ++i, token))
        continue
      }
      if (!BINDING_NAME.test(name)) throw new UsageError(`unknown option ${token}`)
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
  lr?: string
  steps?: string
  params?: string
  data?: string
  random?: boolean
  seed?: string
  level?: string
  tolerance?: string
  claim: string[]
  claims?: string
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    // quiz and check are words before everything else; a program spelled `quiz` is written (quiz).
    const mode: Mode = argv[0] === 'quiz' || argv[0] === 'check' ? argv[0] : 'trace'
    const { options, positionals, bindings } = splitArgs(mode === 'trace' ? argv : argv.slice(1), mode)
    const program = command(mode)
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
    const values: Record<string, string> = {}
    for (const [name, value] of bindings) {
      if (Object.hasOwn(values, name)) throw new InputError(`${name} is bound twice (--${name} ${values[name]} and --${name} ${value}); bind it once`)
      values[name] = value
    }
    const chalkFor = (toFile: boolean) => new Chalk({ level: opts.color && !toFile ? io.colorLevel : 0 })
    const request = { opts, positionals, values, precision, tolerance, chalkFor }
    if (mode === 'quiz') return await quiz(request, io)
    if (mode === 'check') return await check(request, io)
    return await traceMode(request, io)
  } catch (error) {
    if (error instanceof InputError) {
      const where = error.offset !== undefined && error.source !== undefined ? `\n${caret(error.source, error.offset)}` : ''
      io.stderr(`backprop-tutor: error: ${error.message}${where}\n`)
      return EXIT.input
    }
    if (error instanceof UsageError) {
      io.stderr(`backprop-tutor: error: ${error.message}\nRun backprop-tutor${argv[0] === 'quiz' || argv[0] === 'check' ? ` ${argv[0]}` : ''} --help for usage.\n`)
      return EXIT.usage
    }
    const detail = process.env.BACKPROP_TUTOR_DEBUG ? `\n${(error as Error).stack}` : ''
    io.stderr(`backprop-tutor: internal error: ${(error as Error)?.message ?? String(error)}; please report it with the command you ran${detail}\n`)
    return EXIT.internal
  }
}

interface Request {
  opts: Parsed
  positionals: string[]
  values: Record<string, string>
  precision: number
  tolerance: number
  chalkFor: (toFile: boolean) => ChalkInstance
}

const names = (list: string | undefined) => list?.split(',').map((s) => s.trim()).filter(Boolean)

async function traceMode({ opts, positionals, values, precision, chalkFor }: Request, io: Io): Promise<number> {
  if (!isFormatName(opts.format)) {
    throw new UsageError(`unknown format "${opts.format}"; the formats are ${Object.keys(FORMATS).join(', ')}`)
  }
  if (opts.standalone && opts.format !== 'latex') throw new UsageError('--standalone goes with --format latex')
  const training = opts.lr !== undefined
  if (!training) {
    for (const option of ['steps', 'params', 'data'] as const) if (opts[option] !== undefined) throw new UsageError(`--${option} goes with --lr`)
  } else if (opts.format !== 'table' && opts.format !== 'json') {
    throw new UsageError(`--lr goes with --format table or json, not ${opts.format}`)
  }
  const lr = Number(opts.lr)
  if (training && !(Number.isFinite(lr) && lr > 0)) throw new UsageError(`--lr ${opts.lr}: expected a positive number, such as 0.1`)
  const steps = opts.steps === undefined ? 1 : Number(opts.steps)
  if (!Number.isInteger(steps) || steps < 1 || steps > LIMITS.maxSteps) throw new UsageError(`--steps ${opts.steps}: expected a whole number from 1 to ${LIMITS.maxSteps}`)

  const source = await readProgram(positionals[0], opts.file, io)
  const { trace, warnings, run } = traceAndTrain(source, values, training ? { lr, steps, ...(opts.params ? { params: names(opts.params) } : {}), ...(opts.data ? { data: names(opts.data) } : {}) } : undefined)
  const wrt = names(opts.wrt)
  for (const name of wrt ?? []) {
    if (!trace.gradients.some((g) => g.name === name)) {
      throw new InputError(`--wrt ${name}: the program has no variable ${name} (its variables: ${trace.gradients.map((g) => g.name).join(', ') || 'none'})`)
    }
  }
  for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
  const chalk = chalkFor(Boolean(opts.output))
  const renderOptions = { precision, ascii: Boolean(opts.ascii), explain: Boolean(opts.explain), standalone: Boolean(opts.standalone), ...(wrt ? { wrt } : {}), chalk }
  const format = FORMATS[opts.format] as Format
  let text: string | Iterable<string>
  if (run && opts.format === 'json') text = jsonChunks(trace, run)
  else if (run) text = (await format.render(trace, renderOptions)) + renderTraining(run, trace.nodes[trace.output]!.label, renderOptions)
  else text = format.chunks ? format.chunks(trace, renderOptions) : await format.render(trace, renderOptions)
  await write(text, opts.output, io)
  return EXIT.ok
}

/**
 * The trace, and the training run when asked for. The graph stays inside: nothing after this
 * needs it, and a big program's graph left reachable while the output is written would be
 * copied by every collection (a few percent of the time on 10,000 operations).
 */
function traceAndTrain(source: string, values: Record<string, string>, request: TrainingRequest | undefined): { trace: Trace; warnings: string[]; run?: Training } {
  const { trace, warnings, graph, values: bound } = traceProgram(source, values)
  return { trace, warnings, ...(request ? { run: train(graph, bound, request) } : {}) }
}

async function check({ opts, positionals, values, precision, tolerance, chalkFor }: Request, io: Io): Promise<number> {
  if (opts.format !== 'table' && opts.format !== 'json') throw new UsageError(`check --format ${opts.format}: expected table or json`)
  const lines = [...opts.claim]
  if (opts.claims !== undefined) {
    let text: string
    try {
      text = io.readFile(opts.claims)
    } catch (error) {
      throw new UsageError(`cannot read ${opts.claims}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
    }
    for (const line of text.split(/\r?\n/)) {
      const claim = line.replace(/#.*/, '').trim()
      if (claim) lines.push(claim)
    }
  }
  if (lines.length === 0) throw new UsageError('no claims given: add --claim "dL/dx = 4" or --claims FILE')
  if (lines.length > LIMITS.maxClaims) throw new InputError(`${lines.length} claims: at most ${LIMITS.maxClaims} are checked in one run; split them into several files`)
  const source = await readProgram(positionals[0], opts.file, io)
  const { trace, warnings } = traceProgram(source, values)
  const index = indexNodes(trace)
  const claims = lines.map((line) => parseClaim(trace, line, index))
  const results = checkClaims(trace, claims, tolerance)
  for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
  const text =
    opts.format === "json" ? renderClaimsJson(trace, results, { precision }) : renderClaims(trace, results, { precision, ascii: Boolean(opts.ascii), chalk: chalkFor(Boolean(opts.output)) })
  await write(text, opts.output, io)
  return results.every((r) => r.right) ? EXIT.ok : EXIT.wrongClaim
}

async function quiz({ opts, positionals, values, precision, tolerance, chalkFor }: Request, io: Io): Promise<number> {
  const level = opts.level === undefined ? 1 : Number(opts.level)
  if (level !== 1 && level !== 2 && level !== 3) throw new UsageError(`--level ${opts.level}: expected 1, 2 or 3`)
  if (!opts.random && (opts.seed !== undefined || opts.level !== undefined)) throw new UsageError('--seed and --level go with --random')
  let source: string
  if (opts.random) {
    if (positionals.length > 0 || opts.file !== undefined) throw new UsageError('--random makes its own program: give no program with it')
    if (Object.keys(values).length > 0) throw new UsageError('--random chooses its own values: give no --NAME VALUE with it')
    const seed = opts.seed === undefined ? io.newSeed() : Number(opts.seed)
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed ${opts.seed}: expected a whole number from 0 to 4294967295`)
    const exercise = randomExercise(seed, level as Level)
    source = exercise.program
    for (const [name, value] of Object.entries(exercise.bindings)) values[name] = String(value)
    io.stdout(`Exercise ${seed} at level ${level} (the same again: --random --seed ${seed} --level ${level})\n`)
  } else {
    if (positionals[0] === '-') throw new UsageError('quiz reads its answers from stdin, so the program cannot come from there: use --file')
    source = await readProgram(positionals[0], opts.file, io)
  }
  const { trace, warnings } = traceProgram(source, values)
  for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
  const options = { precision, ascii: Boolean(opts.ascii), tolerance, chalk: chalkFor(false) }
  const questions = quizQuestions(trace, options)
  const bound = Object.entries(trace.bindings).map(([k, v]) => `${k} = ${v}`).join(', ')
  io.stdout(`Program  ${source.trim()}\nValues   ${bound || 'none'}\n`)
  await runQuiz(trace, questions, { write: io.stdout, ask: io.ask }, options)
  return EXIT.ok
}

/**
 * Text, or its pieces as they are made (written at once, so big outputs never sit in memory
 * whole). Each piece waits for a slow reader to catch up: into a pipe, pieces written without
 * waiting queue in memory until the last is made (measured: 1.3 GB and twice the time on the
 * largest program, against 0.46 GB into a file).
 */
async function write(text: string | Iterable<string>, output: string | undefined, io: Io): Promise<void> {
  if (!output) {
    if (typeof text === 'string') return io.stdout(text)
    for (const chunk of text) await io.stdout(chunk)
    return
  }
  try {
    io.writeFile(output, text)
  } catch (error) {
    throw new UsageError(`cannot write ${output}: ${(error as Error).message}`)
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

/** Resolves when the stream has written what it queued. */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.once('drain', resolve))
}

/** The real process: what bin/backprop-tutor.cjs calls. */
export async function run(): Promise<void> {
  // A reader that stops early (| head) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
  const input = lineReader()
  const io: Io = {
    ask: input.ask,
    newSeed: () => Math.floor(Math.random() * 1_000_000),
    stdout: (text) => (process.stdout.write(text) ? undefined : drained(process.stdout)),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => readAll(process.stdin),
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => {
      if (typeof text === 'string') return writeFileSync(path, text)
      const fd = openSync(path, 'w')
      try {
        for (const chunk of text) writeSync(fd, chunk)
      } finally {
        closeSync(fd)
      }
    },
    colorLevel: colorLevel(process.env),
  }
  process.exitCode = await main(process.argv.slice(2), io)
  input.close()
}

/**
 * The quiz's answers: in a terminal, readline with line editing (it echoes what is typed); from a
 * pipe, one line at a time, echoed after the prompt so the transcript reads like a session.
 * Created on the first question, so other commands never touch stdin.
 */
function lineReader(): { ask: Io['ask']; close: () => void } {
  let reader: import('node:readline').Interface | undefined
  let lines: AsyncIterator<string> | undefined
  let closed = false
  let interactive = false
  // node:readline is loaded, and stdin looked at, on the first question: every other command
  // starts without them (process.stdin alone costs a few milliseconds). require, not import():
  // the CLI bundle is CommonJS, loaded through node:vm.
  const open = () => {
    if (!reader) {
      interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY)
      const { createInterface } = createRequire(import.meta.url)('node:readline') as typeof import('node:readline')
      reader = createInterface({ input: process.stdin, ...(interactive ? { output: process.stdout, terminal: true } : { terminal: false }) })
      reader.once('close', () => (closed = true))
    }
    return reader
  }
  const ask = async (prompt: string): Promise<string | undefined> => {
    const rl = open()
    if (interactive) {
      if (closed) return undefined
      return new Promise((resolve) => {
        const onClose = () => resolve(undefined)
        rl.once('close', onClose)
        rl.question(prompt, (answer) => {
          rl.off('close', onClose)
          resolve(answer)
        })
      })
    }
    lines ??= rl[Symbol.asyncIterator]()
    const next = await lines.next()
    process.stdout.write(next.done ? `${prompt}\n` : `${prompt}${next.value}\n`)
    return next.done ? undefined : next.value
  }
  return { ask, close: () => reader?.close() }
}
