// A tensor program at the command line: its values read (literals, generators, CSV and JSON files),
// traced, and written in the faces that show tensors. Chosen by cli/modes.ts when the program or a
// value uses tensors (isTensorProgram, decided by the parser); scalar programs never come here, so their output is unchanged.
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { readShape, traceSymbolicProgram, traceTensorProgram } from '../tensor/pipeline.js'
import { renderSymbolicJson, renderSymbolicTable } from '../render/tensor-symbolic.js'
import { renderSymbolicLatex, renderSymbolicMarkdown } from '../render/symbolic-notes.js'
import { renderSymbolicHtml } from '../render/symbolic-page.js'
export { isTensorProgram } from '../tensor/pipeline.js'
import type { TensorTrace } from '../tensor/trace.js'
import type { Shape } from '../tensor/tensor.js'
import { checkTensorClaims } from '../tensor/claims.js'
import { runTensorQuiz, tensorQuestions } from '../tensor/quiz.js'
import { renderTensorClaims, renderTensorClaimsJson } from '../render/tensor-claims.js'
import { entryChain, indexIn, parseEntry, productEntries } from '../tensor/entry.js'
import { symbolicEntry } from '../tensor/symbolic-entry.js'
import { trainTensors } from '../tensor/train.js'
import { wrtTensorNode, wrtView } from '../tensor/wrt.js'
import { tangentDirections, tensorForwardMode, type ReadDirection } from '../tensor/forward.js'
import { readValue } from '../tensor/values.js'
import { TENSOR_FORMATS } from '../render/tensor-formats.js'
import { TENSOR_WORDS, boundValues } from '../steps/tensor-words.js'
import { mulberry32 } from '../random.js'
import { htmlTooLarge } from '../render/html.js'
import { refuseLarger } from '../render/shared.js'
import { TENSOR_PRECISION } from '../render/tensor-table.js'
import { EXIT, TooLong, type Io } from './io.js'
import { NotText, notTextMessage } from './text.js'
import { UsageError, differentiation, names, optionTypo, unknownWrt, wrtNames, type Request } from './command.js'
import type { Direction } from '../render/layout.js'
import { chainsOption, write } from './modes.js'
import type { TensorRenderOptions } from '../render/index.js'

export async function tensorTrace(request: Request, source: string, io: Io, width: number, rankdir?: Direction): Promise<number> {
  const { opts } = request
  // Every format of --help writes tensors too (FORMATS and TENSOR_FORMATS have the same keys, checked by the compiler).
  const format = TENSOR_FORMATS[opts.format as keyof typeof TENSOR_FORMATS]
  if (opts.quiz && opts.format !== 'html') throw new UsageError('--quiz goes with --format html; the terminal quiz is: backprop-tutor quiz PROGRAM [values]')
  const mode = differentiation(opts.mode)
  if (mode === 'reverse' && opts.tangent?.length) throw new UsageError('--tangent goes with --mode forward or both')
  const traced = await tensorTraceOf(request, source, io)
  const wrt = wrtNames(opts.wrt)
  for (const name of wrt ?? []) if (wrtTensorNode(traced, name) === undefined) throw unknownWrt(name, traced.nodes)
  // --wrt limits what the lessons and the page print (as for scalars); JSON and the graphs keep the whole trace.
  const trace = wrt && ['table', 'markdown', 'latex', 'html'].includes(opts.format) ? wrtView(traced, wrt) : traced
  // Forward mode is written where the scalar one is: the lessons and JSON (the graphs draw the reverse pass).
  const read: ReadDirection = (option, raw) => readValue(option, raw, seedOf(request), dataReader(io))
  const forward =
    mode !== 'reverse' && ['table', 'markdown', 'latex', 'json'].includes(opts.format)
      ? tensorForwardMode(traced, await tangentDirections(traced, opts.tangent ?? [], read, wrt), wrt)
      : undefined
  const precision = opts.precision === undefined ? TENSOR_PRECISION : request.precision
  const chalk = request.chalkFor(Boolean(opts.output))
  if (opts.entry !== undefined && !['table', 'json', 'markdown'].includes(opts.format))
    throw new UsageError('--entry goes with --format table, json or markdown')
  const entry = opts.entry === undefined ? undefined : (({ node, index }) => entryChain(trace, node, index))(parseEntry(trace, opts.entry))
  const training =
    opts.lr === undefined
      ? undefined
      : trainTensors(trace, {
          lr: Number(opts.lr),
          steps: opts.steps === undefined ? 1 : Number(opts.steps),
          ...(names(opts.params) ? { params: names(opts.params)! } : {}),
          ...(names(opts.data) ? { data: names(opts.data)! } : {}),
        })
  // The page's size limit first: its entries are worked out only for a page that will be written.
  if (opts.format === 'html') refuseLarger(htmlTooLarge(trace.nodes))
  const renderOptions: TensorRenderOptions = {
    ...(training ? { training } : {}),
    ...(entry ? { entry } : {}),
    ...(forward ? { forward, mode } : {}),
    precision,
    ascii: Boolean(opts.ascii),
    explain: Boolean(opts.explain),
    chains: chainsOption(opts.chains),
    standalone: Boolean(opts.standalone),
    ...(opts.quiz ? { questions: tensorQuestions(trace, precision) } : {}),
    ...(opts.format === 'html' ? { entries: productEntries(trace) } : {}),
    width,
    chalk,
    ...(rankdir ? { rankdir } : {}),
  }
  await write(format.chunks ? format.chunks(trace, renderOptions) : await format.render(trace, renderOptions), opts.output, io)
  return EXIT.ok
}

/** A --NAME that is no variable of the program but looks like an option (--precison, --latex) is refused, with the option named. */
function refuseOptionTypos(request: Request, variables: Set<string>): void {
  for (const name of request.dashed) {
    const near = variables.has(name) ? undefined : optionTypo(name, request.mode)
    if (near)
      throw new UsageError(
        `unknown option --${name}; did you mean --${near}? (${name} is not a variable of the program; to bind a variable of that name, use --set ${name}=VALUE)`,
      )
  }
}

/** The tensor program traced from the request: its seed, its values (files read through the Io), warnings on stderr. */
async function tensorTraceOf(request: Request, source: string, io: Io, atRandom: string[] = []): Promise<TensorTrace> {
  const seed = seedOf(request)

  const beforeBinding = (variables: Set<string>) => {
    // With --shape, a variable left with neither is one the student forgot to declare.
    const left = atRandom.length ? [...variables].filter((name) => !Object.hasOwn(request.values, name)) : []
    if (left.length)
      throw new InputError(
        `${left.join(', ')} ${left.length === 1 ? 'has' : 'have'} neither a value nor a shape: with --shape, declare each tensor (--shape ${left[0]}=…) or bind it (--${left[0]} VALUE)`,
      )
    refuseOptionTypos(request, variables)
  }
  const { trace, warnings, notes } = await traceTensorProgram(source, request.values, { seed, readFile: dataReader(io), beforeBinding })
  for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
  for (const note of notes) io.stderr(`backprop-tutor: note: ${note}\n`)
  return trace
}

/**
 * --shape: a tensor program in symbols, its gradients as matrix formulas (the table and json
 * formats; the other faces print numbers).
 */
export async function symbolicTrace(request: Request, source: string, io: Io, width: number, rankdir?: Direction): Promise<number> {
  const { opts } = request
  if (!['table', 'json', 'markdown', 'latex', 'html'].includes(opts.format))
    throw new UsageError(
      `--shape traces in symbols, written by --format table, json, markdown, latex or html; for --format ${opts.format}, give each variable a value instead`,
    )
  if (opts.entry !== undefined && opts.format !== 'table' && opts.format !== 'json')
    throw new UsageError('--entry with --shape goes with --format table or json')
  for (const option of ['lr', 'wrt', 'mode', 'quiz'] as const)
    if (opts[option] !== undefined && opts[option] !== false) throw new UsageError(`--${option} goes with values, not --shape: bind each variable to use it`)
  const shapes = declaredShapes(opts.shape)
  // The JSON's formulas are in the variables alone (binding them evaluates each); the table names a layer's activations.
  const { trace, warnings } = await traceSymbolicProgram(
    source,
    request.values,
    shapes,
    { seed: seedOf(request), readFile: dataReader(io), beforeBinding: (variables) => refuseOptionTypos(request, variables) },
    { expand: opts.format === 'json' },
  )
  for (const warning of warnings) io.stderr(`backprop-tutor: warning: ${warning}\n`)
  const entry =
    opts.entry === undefined
      ? undefined
      : (({ node, index }) => symbolicEntry(trace, node, index))(
          indexIn(
            trace.nodes,
            trace.gradients.map((g) => g.name),
            opts.entry,
            '--entry',
          ),
        )
  const text =
    opts.format === 'json'
      ? renderSymbolicJson(trace, entry)
      : opts.format === 'markdown'
        ? renderSymbolicMarkdown(trace)
        : opts.format === 'latex'
          ? renderSymbolicLatex(trace, { standalone: Boolean(opts.standalone) })
          : opts.format === 'html'
            ? await renderSymbolicHtml(trace, { ascii: Boolean(opts.ascii), ...(rankdir ? { rankdir } : {}) })
            : renderSymbolicTable(trace, { ascii: Boolean(opts.ascii), width, chalk: request.chalkFor(Boolean(opts.output)), ...(entry ? { entry } : {}) })
  if (opts.output) await io.writeFile(opts.output, text)
  else await io.stdout(text)
  return EXIT.ok
}

/** Each --shape NAME=SIZE, read; a name declared twice is refused. */
function declaredShapes(specs: string[] | undefined): Map<string, Shape> {
  const shapes = new Map<string, Shape>()
  for (const spec of specs ?? []) {
    const [name, shape] = readShape(spec)
    if (shapes.has(name)) throw new InputError(`--shape ${name} is given twice; declare it once`)
    shapes.set(name, shape)
  }
  return shapes
}

/**
 * quiz and check with --shape: each declared tensor bound to random values of its shape (rand,
 * in (0, 1), seeded by --seed), where a formula answer is judged (and, as every formula is, again
 * at values moved from them). Returns the names so bound. A program of scalars alone keeps its
 * scalars symbolic: there a formula is judged as a formula already.
 */
export function boundAtRandom(request: Request): string[] {
  const shapes = declaredShapes(request.opts.shape)
  if ([...shapes.values()].every((shape) => shape.length === 0)) return []
  const random = mulberry32(seedOf(request))
  for (const [name, shape] of shapes) {
    if (Object.hasOwn(request.values, name)) throw new InputError(`${name} is both bound and declared by --shape; give it a value or a shape`)
    request.values[name] = shape.length === 0 ? String(Math.round((0.1 + 0.8 * random()) * 1000) / 1000) : `rand(${shape.join(', ')})`
  }
  return [...shapes.keys()]
}

/** --seed: the seed of rand(…) and randn(…) in the values (default 0). */
function seedOf(request: Request): number {
  const { opts } = request
  const seed = opts.seed === undefined ? 0 : Number(opts.seed)
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed ${opts.seed}: expected a whole number from 0 to 4294967295`)
  return seed
}

/** Reads a data file named by a value (@x.csv) through the Io, with one message per way it can fail. */
function dataReader(io: Io): (path: string) => Promise<string> {
  return async (path: string) => {
    try {
      return await io.readFile(path, LIMITS.maxLength)
    } catch (error) {
      if (error instanceof TooLong)
        throw new InputError(`${path} is more than ${error.limit} characters long; the tutor's limit for a data file is ${error.limit} (4 MiB)`)
      if (error instanceof NotText) throw new InputError(notTextMessage(`the data file ${path}`, error))
      const code = (error as NodeJS.ErrnoException).code
      const reason = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied' }[code ?? '']
      throw new InputError(`cannot read ${path}: ${reason ?? (error as Error).message}`)
    }
  }
}

/** check on a tensor program: each claim judged, exit 3 when one is wrong or cannot be read. */
export async function tensorCheck(request: Request, source: string, lines: string[], io: Io, atRandom: string[] = []): Promise<number> {
  const { opts } = request
  const trace = await tensorTraceOf(request, source, io, atRandom)
  const precision = opts.precision === undefined ? TENSOR_PRECISION : request.precision
  // With --shape a vector is a column: an n×1 matrix claimed for it is that vector.
  const results = checkTensorClaims(trace, lines, request.tolerance, { columns: atRandom.length > 0 })
  const text =
    opts.format === 'json'
      ? renderTensorClaimsJson(trace, results, { precision })
      : renderTensorClaims(trace, results, {
          precision,
          ascii: Boolean(opts.ascii),
          chalk: request.chalkFor(Boolean(opts.output)),
          ...(atRandom.length ? { atRandom: { names: atRandom, seed: seedOf(request) } } : {}),
        })
  if (opts.output) await io.writeFile(opts.output, text)
  else await io.stdout(text)
  return results.every((r) => r.right) ? EXIT.ok : EXIT.wrongClaim
}

/** quiz on a tensor program: shapes, then each gradient's shape and rule; answers from stdin. */
export async function tensorQuiz(request: Request, source: string, io: Io, atRandom: string[] = []): Promise<number> {
  if (differentiation(request.opts.mode) !== 'reverse')
    throw new UsageError(`--mode ${request.opts.mode} asks a scalar program's tangents; a quiz on tensors asks the backward pass's shapes and rules`)
  const trace = await tensorTraceOf(request, source, io, atRandom)
  // The values themselves, not only their shapes: the quiz asks entries' numbers too.
  const precision = request.opts.precision === undefined ? TENSOR_PRECISION : request.precision
  io.stdout(`Program  ${source.trim()}\nValues   ${boundValues(trace, false, { precision }).join(', ')}\n`)
  if (atRandom.length) io.stdout(`${TENSOR_WORDS.atRandom(atRandom, seedOf(request))}\n`)
  await runTensorQuiz(
    trace,
    tensorQuestions(trace, precision),
    { write: io.stdout, ask: io.ask },
    { tolerance: request.tolerance, precision, ascii: Boolean(request.opts.ascii), chalk: request.chalkFor(false) },
  )
  return EXIT.ok
}
