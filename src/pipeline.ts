// text + bindings → Trace: the whole engine behind one call, for the CLI and for other tools.
import { InputError } from './errors.js'
import { parseProgram } from './parse.js'
import { buildGraph, type Graph } from './graph.js'
import { trace, type Trace } from './trace.js'
import { closestName, parseValue } from './bindings.js'

export interface TraceResult {
  trace: Trace
  /** Things worth saying on stderr: bindings the program does not use, and how it was read. */
  warnings: string[]
}

/**
 * Parses `source`, binds `bindings` (numbers, or text such as "pi/4") and traces it.
 * Throws InputError for anything wrong with the input.
 */
export function traceProgram(
  source: string,
  bindings: Record<string, number | string> = {},
  options: BindOptions & { beforeTrace?: (graph: Graph) => void } = {},
): TraceResult & BoundProgram {
  const bound = bindProgram(source, bindings, options)
  options.beforeTrace?.(bound.graph)
  const result = trace(bound.graph, bound.values)
  return { ...bound, trace: result, warnings: [...bound.warnings, ...result.notes] }
}

export interface BoundProgram {
  graph: Graph
  /** The bindings that name variables of the program, as numbers. */
  values: Record<string, number>
  warnings: string[]
}

export interface BindOptions {
  /** Called with the program's variables before any value is read (the CLI refuses a mistyped option there). */
  beforeBinding?: (variables: Set<string>) => void
}

/** Parses `source` and checks `bindings` against its variables, for a trace or a training run. */
export function bindProgram(source: string, bindings: Record<string, number | string> = {}, options: BindOptions = {}): BoundProgram {
  const graph = buildGraph(parseProgram(source))
  options.beforeBinding?.(new Set(graph.variables.map((i) => graph.nodes[i]!.id)))
  // Keyed by the program's names (__proto__, constructor, …): an object with no prototype.
  const values: Record<string, number> = Object.create(null)
  const warnings: string[] = []
  const variables = graph.variables.map((i) => graph.nodes[i]!.id)
  const variableSet = new Set(variables)
  const assigned = new Set(graph.nodes.flatMap((n) => (n.assigned ? [n.assigned] : [])))
  // xw with --x and --w given: the student meant x*w, but a name is all its letters.
  const given = Object.keys(bindings)
  const joined = variables.flatMap((name) => {
    const parts = Object.hasOwn(bindings, name) ? undefined : splitInto(name, given)
    return parts ? [{ name, parts }] : []
  })
  const explained = new Set(joined.flatMap((j) => j.parts))
  for (const [name, raw] of Object.entries(bindings)) {
    const value = typeof raw === 'number' ? raw : parseValue(name, raw)
    if (!Number.isFinite(value)) throw new InputError(`--${name}: the value ${value} is not a finite number`)
    if (variableSet.has(name)) {
      values[name] = value
    } else if (assigned.has(name)) {
      throw new InputError(`--${name}: ${name} is assigned by the program, so it cannot be bound; bind the variables it is computed from`)
    } else {
      const near = explained.has(name) ? undefined : closestName(name, variables)
      warnings.push(
        `--${name} is not a variable of the program, so it is ignored` +
          (near ? `; did you mean --${near}?` : variables.length ? ` (its variables: ${variables.join(', ')})` : ' (it has no variables)'),
      )
    }
  }
  for (const { name, parts } of joined) {
    warnings.push(`${name} is one name, not ${parts.join(' times ')}: for the product of ${parts.join(' and ')}, write ${parts.join('*')}`)
  }
  return { graph, values, warnings }
}

/** `name` as two or more of `names` written together (xw → x, w), if it is exactly that. */
function splitInto(name: string, names: string[]): string[] | undefined {
  const candidates = names.filter((n) => n.length < name.length)
  // ways[i]: a split of name's first i characters, built left to right.
  const ways: (string[] | undefined)[] = [[]]
  for (let i = 1; i <= name.length; i++) {
    for (const part of candidates) {
      const before = ways[i - part.length]
      if (i >= part.length && before && name.slice(i - part.length, i) === part) {
        ways[i] = [...before, part]
        break
      }
    }
  }
  const split = ways[name.length]
  return split && split.length >= 2 ? split : undefined
}
