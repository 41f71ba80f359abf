// The three things the command line does, each from a checked request: trace (with --lr),
// check, quiz. Each reads its input, runs the engine, renders and writes through the Io.
import { LIMITS } from '../limits.js'
import { InputError, excerpt } from '../errors.js'
import { traceProgram } from '../pipeline.js'
import { FORMATS, isFormatName, type Format } from '../render/index.js'
import { forwardFor } from '../modes/forward.js'
import { DEFAULT_WIDTH } from '../render/wrap.js'
import { GRAPH_PRECISION, type Direction } from '../render/layout.js'
import { jsonChunks } from '../render/json.js'
import { nodeLimit, refuseLarger, type TooLarge } from '../render/shared.js'
import { renderTraining } from '../render/training.js'
import { renderClaims, renderClaimsJson } from '../render/claims.js'
import { train, type Training, type TrainingRequest } from '../modes/train.js'
import type { Trace } from '../trace.js'
import { wrtNode } from '../steps/lesson.js'
import { checkClaims, parseClaims } from '../modes/claims.js'
import { readWritten, syntaxOf } from '../modes/written/read.js'
import { checkWritten, namesOf } from '../modes/written/judge.js'
import { annotate, renderWritten, renderWrittenJson } from '../render/written.js'
import { functionArities } from '../ops.js'
import { quizQuestions, runQuiz } from '../modes/quiz.js'
import { Elsewhere } from '../modes/formula.js'
import { randomExercise, randomTensorExercise, type Level } from '../modes/exercise.js'
import { EXIT, TooLong, type Io } from './io.js'
import { NotText, notTextMessage } from './text.js'
import { UsageError, differentiation, names, optionTypo, unknownWrt, wrtNames, type Parsed, type Request } from './command.js'
import { boundAtRandom, isTensorProgram, symbolicTrace, tensorCheck, tensorQuiz, tensorTrace } from './tensors.js'

export async function traceMode(request: Request, io: Io): Promise<number> {
  const { opts, positionals, precision, chalkFor } = request
  if (!isFormatName(opts.format)) {
    throw new UsageError(`unknown format "${excerpt(opts.format)}"; the formats are ${Object.keys(FORMATS).join(', ')}`)
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
  if (!Number.isInteger(steps) || steps < 1 || steps > LIMITS.maxSteps)
    throw new UsageError(`--steps ${opts.steps}: expected a whole number from 1 to ${LIMITS.maxSteps}`)

  const rankdir = direction(opts.rankdir)
  const source = await readProgram(positionals[0], opts.file, io)
  if (opts.shape?.length) return symbolicTrace(request, source, io, columns(opts.width), rankdir)
  if (isTensorProgram(source, request.values)) return tensorTrace(request, source, io, columns(opts.width), rankdir)
  if (opts.seed !== undefined) throw new UsageError('--seed goes with rand(…) and randn(…) in the values of a tensor program')
  if (opts.entry !== undefined) throw new UsageError('--entry goes with tensor programs; in a scalar program every gradient is already one number')
  if (opts.tangent?.length) throw new UsageError('--tangent goes with tensor programs; a scalar program has one forward pass per input, and --wrt chooses them')
  const format = FORMATS[opts.format] as Format
  const { trace, warnings, run } = traceAndTrain(
    source,
    request,
    format.tooLarge,
    training ? { lr, steps, ...(opts.params ? { params: names(opts.params) } : {}), ...(opts.data ? { data: names(opts.data) } : {}) } : undefined,
  )
  const wrt = wrtNames(opts.wrt)
  for (const name of wrt ?? []) {
    if (wrtNode(trace, name) === undefined) throw unknownWrt(name, trace.nodes)
  }
  for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
  const chalk = chalkFor(Boolean(opts.output))
  const graph = opts.format === 'dot' || opts.format === 'mermaid' || opts.format === 'svg'
  const renderOptions = {
    precision: graph && opts.precision === undefined ? GRAPH_PRECISION : precision,
    ...(rankdir ? { rankdir } : {}),
    ascii: Boolean(opts.ascii),
    explain: Boolean(opts.explain),
    standalone: Boolean(opts.standalone),
    summary: Boolean(opts.summary),
    quiz: Boolean(opts.quiz),
    mode: differentiation(opts.mode),
    width: columns(opts.width),
    chains: chainsOption(opts.chains),
    ...(wrt ? { wrt } : {}),
    chalk,
  }
  if (opts.quiz && opts.format !== 'html') throw new UsageError('--quiz goes with --format html; the terminal quiz is: backprop-tutor quiz PROGRAM [values]')
  const forward = forwardFor(trace, renderOptions)
  if (forward) Object.assign(renderOptions, { forward })
  if (opts.quiz) {
    if (trace.unbound.length > 0) throw new InputError(`--quiz needs a value for every variable: bind ${trace.unbound.map((v) => `--${v} VALUE`).join(' ')}`)
    Object.assign(renderOptions, { questions: quizQuestions(trace, { precision, ascii: Boolean(opts.ascii) }) })
  }
  let text: string | Iterable<string>
  if (run && opts.format === 'json') text = jsonChunks(trace, run, forward)
  else if (run) text = (await format.render(trace, renderOptions)) + renderTraining(run, trace.nodes[trace.output]!.label, renderOptions)
  else text = format.chunks ? format.chunks(trace, renderOptions) : await format.render(trace, renderOptions)
  await write(text, opts.output, io)
  return EXIT.ok
}

/** --width: the columns the terminal view folds at; 40 to 1000 (a table's own cells fold at 12 at least). */
function columns(width: string | undefined): number {
  if (width === undefined) return DEFAULT_WIDTH
  const n = Number(width)
  if (!Number.isInteger(n) || n < 40 || n > 1000) throw new UsageError(`--width ${width}: expected a whole number of columns from 40 to 1000`)
  return n
}

/** --rankdir: LR or TB (TD, as Mermaid writes it, too), in any case. */
function direction(rankdir: string | undefined): Direction | undefined {
  if (rankdir === undefined) return undefined
  const upper = rankdir.toUpperCase()
  if (upper === 'LR') return 'LR'
  if (upper === 'TB' || upper === 'TD') return 'TB'
  throw new UsageError(`--rankdir ${rankdir}: expected LR (left to right) or TB (top to bottom)`)
}

/** --chains: short (the default), all or none. */
export function chainsOption(chains: string | undefined): 'all' | 'short' | 'none' {
  if (chains === undefined) return 'short'
  if (chains === 'all' || chains === 'short' || chains === 'none') return chains
  throw new UsageError(`--chains ${chains}: expected short, all or none`)
}

/**
 * The trace, and the training run when asked for. The graph stays inside: nothing after this
 * needs it, and a big program's graph left reachable while the output is written would be
 * copied by every collection (a few percent of the time on 10,000 operations).
 */
function traceAndTrain(
  source: string,
  request: Request,
  tooLarge: TooLarge | undefined,
  training: TrainingRequest | undefined,
): { trace: Trace; warnings: string[]; run?: Training } {
  const { trace, warnings, graph, values: bound } = traced(source, request, tooLarge)
  return { trace, warnings, ...(training ? { run: train(graph, bound, training) } : {}) }
}

/**
 * The program traced, once no --NAME is a mistyped option rather than a variable, and once its
 * graph is known to fit the format (a note or picture too big is refused before the trace).
 */
function traced(source: string, request: Request, tooLarge?: TooLarge): ReturnType<typeof traceProgram> {
  const beforeBinding = (variables: Set<string>) => {
    for (const name of request.dashed) {
      const near = variables.has(name) ? undefined : optionTypo(name, request.mode)
      if (near) {
        throw new UsageError(
          `unknown option --${name}; did you mean --${near}? (${name} is not a variable of the program; to bind a variable of that name, use --set ${name}=VALUE)`,
        )
      }
    }
  }
  return traceProgram(source, request.values, { beforeBinding, beforeTrace: (graph) => refuseLarger(tooLarge?.(graph.nodes)) })
}

export async function check(request: Request, io: Io): Promise<number> {
  const { opts, positionals, precision, tolerance, chalkFor } = request
  if (opts.format !== 'table' && opts.format !== 'json') throw new UsageError(`check --format ${opts.format}: expected table or json`)
  if (opts.annotate && opts.trace === undefined)
    throw new UsageError('--annotate goes with --trace FILE: it writes that file back with a note after each claim')
  if (opts.trace !== undefined) return checkWrittenTrace(request, io)
  const lines = [...opts.claim]
  if (opts.claims !== undefined) {
    const text = await readInput(io, 'claims file', opts.claims)
    for (const line of text.split(/\r?\n/)) {
      const claim = line.replace(/#.*/, '').trim()
      if (claim) lines.push(claim)
    }
  }
  if (lines.length === 0) throw new UsageError('no claims given: add --claim "dL/dx = 4" or --claims FILE')
  if (lines.length > LIMITS.maxClaims)
    throw new InputError(`${lines.length} claims: at most ${LIMITS.maxClaims} are checked in one run; split them into several files`)
  const source = await readProgram(positionals[0], opts.file, io)
  const atRandom = boundAtRandom(request)
  if (isTensorProgram(source, request.values)) return tensorCheck(request, source, lines, io, atRandom)
  const { trace, warnings, graph, values } = traced(source, request)
  const claims = parseClaims(trace, lines)
  const results = checkClaims(trace, claims, tolerance, new Elsewhere(graph, values))
  for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
  const text =
    opts.format === 'json'
      ? renderClaimsJson(trace, results, { precision })
      : renderClaims(trace, results, { precision, ascii: Boolean(opts.ascii), chalk: chalkFor(Boolean(opts.output)) })
  await write(text, opts.output, io)
  // A line that cannot be read is a verdict of its own, and not right: 3, as for a wrong claim.
  return results.every((r) => r.right) ? EXIT.ok : EXIT.wrongClaim
}

/** check --trace: the student's own written trace, read line by line and judged. */
async function checkWrittenTrace(request: Request, io: Io): Promise<number> {
  const { opts, positionals, precision, tolerance, chalkFor } = request
  if (opts.claim.length > 0 || opts.claims !== undefined) throw new UsageError('give the claims either as --trace FILE or as --claim/--claims, not both')
  if (opts.annotate && opts.format === 'json') throw new UsageError('--annotate writes the trace itself back: leave out --format json')
  const path = opts.trace!
  if (path === '-' && opts.file === undefined && (positionals[0] === '-' || positionals[0] === undefined))
    throw new UsageError('the trace and the program cannot both come from stdin: give the program as an argument or with --file')
  const source = await readProgram(positionals[0], opts.file, io)
  const text = await readInput(io, 'trace file', path === '-' ? undefined : path)
  const where = path === '-' ? 'the trace on stdin' : path
  if (text.trim() === '') throw new InputError(`${where} is empty: write your derivation in it, as in $\\frac{\\partial loss}{\\partial x} = 2$`)
  if (isTensorProgram(source, request.values))
    throw new UsageError('--trace reads written traces of scalar programs; for a tensor program, give each claim with --claim')
  const { trace, warnings, graph, values } = traced(source, request)
  const syntax = syntaxOf(path, text)
  const claims = readWritten(text, syntax, namesOf(trace, Object.keys(functionArities)), LIMITS.maxClaims)
  if (claims.length === 0)
    throw new InputError(
      `no claims found in ${where}: a claim is a derivative with its value, such as $\\frac{\\partial loss}{\\partial x} = 2$ or ∂loss/∂x = 2 on a line of its own`,
    )
  if (claims.length > LIMITS.maxClaims)
    throw new InputError(`${where} holds more than ${LIMITS.maxClaims} claims: at most ${LIMITS.maxClaims} are checked in one run; split it`)
  const { results, verdicts } = checkWritten(trace, claims, tolerance, new Elsewhere(graph, values))
  for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
  const written = { path: path === '-' ? 'stdin' : path, syntax, claims, results, verdicts }
  const output = opts.annotate
    ? annotate(text, trace, written, { precision })
    : opts.format === 'json'
      ? renderWrittenJson(trace, written, { precision })
      : renderWritten(trace, written, { precision, ascii: Boolean(opts.ascii), chalk: chalkFor(Boolean(opts.output)) })
  await write(output, opts.output, io)
  return verdicts.every((v) => v.verdict === 'right') ? EXIT.ok : EXIT.wrongClaim
}

const QUIZ_TOO_LARGE = nodeLimit(LIMITS.maxQuizNodes, 'a quiz', 'the tables show every step of a program of any size')

export async function quiz(request: Request, io: Io): Promise<number> {
  const { opts, positionals, values, precision, tolerance, chalkFor } = request
  const level = opts.level === undefined ? 1 : Number(opts.level)
  if (level !== 1 && level !== 2 && level !== 3) throw new UsageError(`--level ${opts.level}: expected 1, 2 or 3`)
  // Without --random, --seed seeds rand(…) and randn(…) in the values, as it does for a trace.
  if (!opts.random && (opts.level !== undefined || opts.tensor)) throw new UsageError('--level and --tensor go with --random')
  let source: string
  if (opts.random) {
    if (positionals.length > 0 || opts.file !== undefined) throw new UsageError('--random makes its own program: give no program with it')
    if (Object.keys(values).length > 0) throw new UsageError('--random chooses its own values: give no --NAME VALUE with it')
    if (opts.shape?.length) throw new UsageError('--random chooses its own values: give no --shape with it')
    const seed = opts.seed === undefined ? io.newSeed() : Number(opts.seed)
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed ${opts.seed}: expected a whole number from 0 to 4294967295`)
    const exercise = opts.tensor ? await randomTensorExercise(seed, level as Level) : randomExercise(seed, level as Level)
    source = exercise.program
    const chosen = 'values' in exercise ? exercise.values : exercise.bindings
    for (const [name, value] of Object.entries(chosen)) values[name] = String(value)
    const kind = opts.tensor ? ' --tensor' : ''
    io.stdout(`Exercise ${seed} at level ${level}${opts.tensor ? ' with tensors' : ''} (the same again: --random${kind} --seed ${seed} --level ${level})\n`)
  } else {
    if (positionals[0] === '-') throw new UsageError('quiz reads its answers from stdin, so the program cannot come from there: use --file')
    source = await readProgram(positionals[0], opts.file, io)
  }
  const atRandom = boundAtRandom(request)
  if (isTensorProgram(source, request.values)) return tensorQuiz(request, source, io, atRandom)
  const program = traced(source, request, QUIZ_TOO_LARGE)
  const { trace, warnings } = program
  for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
  const options = {
    precision,
    ascii: Boolean(opts.ascii),
    tolerance,
    chalk: chalkFor(false),
    elsewhere: new Elsewhere(program.graph, program.values),
    mode: differentiation(opts.mode),
  }
  const questions = quizQuestions(trace, options)
  const bound = Object.entries(trace.bindings)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ')
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
export async function write(text: string | Iterable<string>, output: string | undefined, io: Io): Promise<void> {
  if (!output) {
    if (typeof text === 'string') return io.stdout(text)
    for (const chunk of text) await io.stdout(chunk)
    return
  }
  await io.writeFile(output, text)
}

/**
 * A file (or stdin, for no path) read up to the program length limit. Past it, reading stops and
 * the limit is the message; a file that cannot be opened is a command-line error.
 */
async function readInput(io: Io, what: string, path: string | undefined): Promise<string> {
  try {
    return path === undefined ? await io.readStdin(LIMITS.maxLength) : await io.readFile(path, LIMITS.maxLength)
  } catch (error) {
    const where = path === undefined ? 'on stdin' : `in ${path}`
    if (error instanceof TooLong)
      throw new InputError(`the ${what} ${where} is more than ${error.limit} characters long; the tutor's limit is ${error.limit} (4 MiB)`)
    if (error instanceof NotText) throw new InputError(notTextMessage(`the ${what} ${where}`, error))
    if (path === undefined) throw error
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
}

async function readProgram(argument: string | undefined, file: string | undefined, io: Io): Promise<string> {
  if (file !== undefined && argument !== undefined) throw new UsageError('give the program either as an argument or with --file, not both')
  if (file !== undefined) return readInput(io, 'program', file)
  if (argument === undefined) throw new UsageError('no program given, as in: backprop-tutor "(x*w+b-y)^2" --x 1 --w 1')
  return argument === '-' ? readInput(io, 'program', undefined) : argument
}

/** backprop-tutor playground: the page built beside the command line (dist/playground.html), written out. */
export async function playground(opts: Parsed, positionals: string[], io: Io): Promise<number> {
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${excerpt(positionals[0]!)}": the playground takes no program; a student types it into the page`)
  if (opts.output === '') throw new UsageError('-o needs a file name; leave -o out to write to stdout')
  if (!io.playground) throw new UsageError('this backprop-tutor has no playground page to write (it is built beside the command line, as dist/playground.html)')
  const page = await io.playground()
  if (opts.output === undefined) await io.stdout(page)
  else await io.writeFile(opts.output, page)
  return EXIT.ok
}
