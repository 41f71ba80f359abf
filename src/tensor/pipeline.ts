// Text + values → a tensor trace: the whole tensor engine behind one call, for the CLI and for other tools.
import { InputError, excerpt } from '../errors.js'
import { LIMITS } from '../limits.js'
import { closestName } from '../bindings.js'
import { buildTensorGraph } from './graph.js'
import { readValue } from './values.js'
import { traceTensors, type TensorTrace } from './trace.js'
import { normalizationShortcuts, softmaxShortcuts } from './shortcuts.js'
import { TENSOR_FUNCTIONS, TENSOR_OPS, resolve } from './ops.js'
import { GENERATORS } from './random.js'
import { programKind, valueKind, type TensorVocabulary } from '../parse/kind.js'
import { size, tensor, type Shape } from './tensor.js'
import { traceSymbolic, type SymbolicTrace } from './symbolic.js'
import type { TensorGraph } from './graph.js'

/** The tensor engine's own words, for the parser to tell its programs from scalar ones. */
const VOCABULARY: TensorVocabulary = { calls: new Set(Object.keys(TENSOR_FUNCTIONS)), generators: new Set(Object.keys(GENERATORS)) }

/**
 * Whether the tensor engine reads this program: its text (comments aside) or one of its values
 * uses tensors (parse/kind.ts). Every other program is the scalar engine's, read exactly as before.
 */
export function isTensorProgram(source: string, values: Record<string, string>): boolean {
  return programKind(source, VOCABULARY) === 'tensor' || Object.values(values).some((v) => valueKind(v, VOCABULARY) === 'tensor')
}

export interface TensorOptions {
  /** Seeds rand(…) and randn(…) in values (default 0). */
  seed?: number
  /** Reads a file named by a value (@data.csv); without it, files are refused. */
  readFile?: (path: string) => Promise<string>
  /** Called with the program's variables before any value is read (the CLI refuses a mistyped option there). */
  beforeBinding?: (variables: Set<string>) => void
}

/**
 * Parses a tensor program, reads each value ("[1, 2; 3, 4]", "randn(3, 2)", "@x.csv") and traces
 * it. Every variable needs a value. Throws InputError for anything wrong with the input.
 */
export async function traceTensorProgram(
  source: string,
  values: Record<string, string>,
  options: TensorOptions = {},
): Promise<{ trace: TensorTrace; warnings: string[]; notes: string[] }> {
  const seed = options.seed ?? 0
  const graph = buildTensorGraph(source, { seed, bindings: values })
  const variables = graph.variables.map((v) => graph.nodes[v]!.label)
  const variableSet = new Set(variables)
  options.beforeBinding?.(variableSet)
  const warnings: string[] = []
  const notes: string[] = []
  const assigned = new Set(graph.nodes.flatMap((n) => (n.assigned ? [n.assigned] : [])))
  const bindings = new Map<string, string>()
  const readFile = options.readFile ?? (async (path: string) => Promise.reject(new InputError(`cannot read ${path}: no files here`)))
  for (const [name, raw] of Object.entries(values)) {
    if (graph.loopBounds?.includes(name) && !variableSet.has(name)) continue
    if (!variableSet.has(name)) {
      if (assigned.has(name))
        throw new InputError(`--${name}: ${name} is assigned by the program, so it cannot be bound; bind the variables it is computed from`)
      const near = closestName(name, variables)
      warnings.push(
        `--${name} is not a variable of the program, so it is ignored${near ? `; did you mean --${near}?` : ` (its variables: ${variables.join(', ') || 'none'})`}`,
      )
      continue
    }
    const { value, from, header } = await readValue(name, raw, seed, readFile)
    if (header) notes.push(`${from}: line ${header.line} (${excerpt(header.text)}) has no number in it, so it is taken as a header and skipped`)
    graph.nodes[graph.variables[variables.indexOf(name)]!]!.value = value
    bindings.set(name, from)
  }
  const missing = variables.filter((name) => !bindings.has(name))
  if (missing.length > 0) {
    const first = missing[0]!
    const shape = fittingShape(graph, graph.variables[variables.indexOf(first)]!)
    const examples =
      shape === undefined
        ? `--${first} "[1, 2, 3]", --${first} "randn(3, 2)"`
        : shape.length === 0
          ? `--${first} 2 (a scalar fits here)`
          : shape.length === 1 && shape[0]! <= 4
            ? `--${first} "[${Array.from({ length: shape[0]! }, (_, k) => k + 1).join(', ')}]" (${shape[0]} ${shape[0] === 1 ? 'entry fits' : 'entries fit'} here), --${first} "randn(${shape[0]})"`
            : `--${first} "randn(${shape.join(', ')})" (a shape that fits here)`
    throw new InputError(
      `${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no value: a tensor program is traced with numbers, so bind ${missing.length === 1 ? 'it' : 'each'}, as in ${examples} or --${first} @${first}.csv`,
    )
  }
  const trace = traceTensors(graph, bindings)
  trace.shortcuts = [...softmaxShortcuts(trace), ...normalizationShortcuts(trace)]
  return { trace, warnings: [...warnings, ...trace.notes.filter((n) => n.startsWith('statement '))], notes }
}

/**
 * A shape for an unbound variable that the program's operations accept, read from the bound
 * values around it (W·x with W 2×3 wants 3 entries): larger sizes first, vectors before matrices,
 * a scalar last. Undefined when every candidate fits, or none does: then nothing is known.
 */
function fittingShape(graph: TensorGraph, variable: number): Shape | undefined {
  const sizes = new Set<number>([1])
  for (const node of graph.nodes) for (const n of node.value?.shape ?? []) sizes.add(n)
  const dims = [...sizes].sort((a, b) => b - a).slice(0, 6)
  const candidates: Shape[] = [...dims.map((n) => [n]), ...dims.flatMap((m) => dims.map((n) => [m, n])), []]
  const fitting = candidates.filter((shape) => fits(graph, variable, shape))
  if (fitting.length > 0 && fitting.length < candidates.length) return fitting[0]
  // Broadcasting takes every shape (x .* y): suggest the one of what the variable meets entry by entry.
  for (const node of graph.nodes) {
    if (node.kind !== 'op' || node.op !== 'elementwise' || !node.inputs.includes(variable)) continue
    const partner = node.inputs.find((k) => k !== variable && graph.nodes[k]!.value !== undefined && graph.nodes[k]!.value!.shape.length > 0)
    if (partner !== undefined) return graph.nodes[partner]!.value!.shape
  }
  return undefined
}

/** Whether every operation whose inputs' shapes are known takes them, with `variable` shaped so, and the output is one entry. */
function fits(graph: TensorGraph, variable: number, shape: Shape): boolean {
  const shapes = graph.nodes.map((node, i) => (i === variable ? shape : node.value?.shape))
  for (let i = 0; i < graph.nodes.length; i++) {
    const node = graph.nodes[i]!
    if (node.kind !== 'op') continue
    const xs = node.inputs.map((j) => shapes[j])
    if (xs.some((x) => x === undefined)) continue
    const known = xs as Shape[]
    const { op, params } = resolve(node.op!, node.params, known)
    const out = TENSOR_OPS[op].shape(known, params)
    if (typeof out === 'string' || out.length > 2) return false
    shapes[i] = out
  }
  const out = shapes[graph.output]
  return out === undefined || size(out) === 1
}

/** A declared shape as --shape writes it: 3x2 (a matrix), 3 (a vector, a column), 1x3 (a row), 1x1 or nothing (a scalar). */
export function readShape(spec: string): [string, Shape] {
  const m = /^\s*([\p{L}_$][\p{L}\p{N}_$]*)\s*=\s*(\d+)?\s*(?:[x×]\s*(\d+))?\s*$/u.exec(spec)
  if (!m || (m[2] === undefined && m[3] !== undefined))
    throw new InputError(`--shape ${excerpt(spec)}: expected NAME=ROWSxCOLUMNS (W=3x2), NAME=N for a vector (x=2), or NAME= for a scalar`)
  const dims = [m[2], m[3]].filter((d): d is string => d !== undefined).map(Number)
  if (dims.some((d) => d < 1 || d > 10_000)) throw new InputError(`--shape ${excerpt(spec)}: each size is a whole number from 1 to 10000`)
  if (dims.reduce((x, y) => x * y, 1) > LIMITS.maxTensorEntries)
    throw new InputError(`--shape ${excerpt(spec)}: more than ${LIMITS.maxTensorEntries} entries; the tutor's limit per tensor`)
  // 1x1 is a scalar, as a matrix of one entry is one number to every rule here.
  return [m[1]!, dims.length === 2 && dims[0] === 1 && dims[1] === 1 ? [] : dims]
}

/**
 * A tensor program in symbols: each variable declared by --shape (or a scalar left without a
 * value) is a name in every formula; bound values keep their names too, and give only their shapes.
 */
export async function traceSymbolicProgram(
  source: string,
  values: Record<string, string>,
  shapes: Map<string, Shape>,
  options: TensorOptions = {},
  { expand = false } = {},
): Promise<{ trace: SymbolicTrace; warnings: string[] }> {
  const seed = options.seed ?? 0
  const graph = buildTensorGraph(source, { seed, bindings: values })
  const variables = graph.variables.map((v) => graph.nodes[v]!.label)
  options.beforeBinding?.(new Set(variables))
  const warnings: string[] = []
  const readFile = options.readFile ?? (async (path: string) => Promise.reject(new InputError(`cannot read ${path}: no files here`)))
  for (const name of [...shapes.keys(), ...Object.keys(values)]) {
    if (!variables.includes(name)) warnings.push(`--${shapes.has(name) ? 'shape ' : ''}${name} is not a variable of the program, so it is ignored`)
    if (shapes.has(name) && Object.hasOwn(values, name)) throw new InputError(`${name} is both bound and declared by --shape; give it a value or a shape`)
  }
  for (const [i, name] of variables.entries()) {
    const node = graph.nodes[graph.variables[i]!]!
    if (shapes.has(name)) node.value = tensor(shapes.get(name)!)
    else if (Object.hasOwn(values, name)) node.value = (await readValue(name, values[name]!, seed, readFile)).value
    // A variable with neither is a scalar in symbols, as in a scalar program.
    else node.value = tensor([])
  }
  const declared = new Map([...shapes].filter(([name]) => variables.includes(name)))
  for (const name of variables) if (!declared.has(name) && !Object.hasOwn(values, name)) declared.set(name, [])
  return { trace: traceSymbolic(graph, declared, { expand }), warnings }
}
