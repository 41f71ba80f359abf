// Text + values → a tensor trace: the whole tensor engine behind one call, for the CLI and for other tools.
import { InputError, excerpt } from '../errors.js'
import { closestName } from '../bindings.js'
import { buildTensorGraph } from './graph.js'
import { readValue } from './values.js'
import { traceTensors, type TensorTrace } from './trace.js'
import { softmaxShortcuts } from './shortcuts.js'

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
  const graph = buildTensorGraph(source, { seed })
  const variables = graph.variables.map((v) => graph.nodes[v]!.label)
  const variableSet = new Set(variables)
  options.beforeBinding?.(variableSet)
  const warnings: string[] = []
  const notes: string[] = []
  const assigned = new Set(graph.nodes.flatMap((n) => (n.assigned ? [n.assigned] : [])))
  const bindings = new Map<string, string>()
  const readFile = options.readFile ?? (async (path: string) => Promise.reject(new InputError(`cannot read ${path}: no files here`)))
  for (const [name, raw] of Object.entries(values)) {
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
    throw new InputError(
      `${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no value: a tensor program is traced with numbers, so bind ${missing.length === 1 ? 'it' : 'each'}, as in --${missing[0]} "[1, 2, 3]", --${missing[0]} "randn(3, 2)" or --${missing[0]} @${missing[0]}.csv`,
    )
  }
  const trace = traceTensors(graph, bindings)
  trace.shortcuts = softmaxShortcuts(trace)
  return { trace, warnings: [...warnings, ...trace.notes.filter((n) => n.startsWith('statement '))], notes }
}
