// Values for variables: numbers or constant expressions (pi/4), checked before any tracing.
import { InputError, excerpt } from './errors.js'
import { parseProgram } from './parse.js'
import { buildGraph } from './graph.js'
import { OPS } from './ops.js'

/** Reads one binding's value: a finite number or a constant expression such as pi/4 or -2e-3. */
export function parseValue(name: string, text: string): number {
  const what = `--${name} ${text}`
  const hint = 'give a number such as 0.5, -2 or 1e-3, or a constant expression such as pi/4'
  if (text.trim() === '') throw new InputError(`${what.trim()}: the value is empty; ${hint}`)
  if (/^\s*[+-]?(nan|infinity|inf)\s*$/i.test(text)) {
    throw new InputError(`${what}: the value must be a finite number; ${hint}`)
  }
  const direct = Number(text)
  if (!Number.isNaN(direct)) {
    if (!Number.isFinite(direct)) throw new InputError(`${what}: the value is beyond the range of a double, not a finite number; ${hint}`)
    return direct === 0 ? 0 : direct
  }
  let value: number
  try {
    value = evaluateText(text, {})
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${what}: not a number (${error.message}); ${hint}`)
    throw error
  }
  if (!Number.isFinite(value)) throw new InputError(`${what}: the value is ${value}, not a finite number; ${hint}`)
  return value === 0 ? 0 : value
}

/**
 * The value of one expression typed by a person (a binding, a claim, a quiz answer), with its
 * names read from `names`: parsed like a program, evaluated node by node with the op table, so
 * nothing the text says is ever run. Throws InputError for anything else, unknown names included.
 */
export function evaluateText(text: string, names: Record<string, number>): number {
  const graph = expressionGraph(text)
  if (graph.nodes.some((n) => n.op === 'identity')) throw new InputError('an assignment is not a value')
  const unknown = graph.variables.map((i) => graph.nodes[i]!.id).filter((name) => !Object.hasOwn(names, name))
  if (unknown.length > 0) {
    const near = closestName(unknown[0]!, Object.keys(names))
    throw new InputError(
      `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not ${Object.keys(names).length ? 'a name with a value here' : 'a constant'}` +
        (near ? `; did you mean ${near}?` : ''),
    )
  }
  const values: number[] = []
  for (const node of graph.nodes) {
    values.push(
      node.kind === 'constant' ? node.constant! : node.kind === 'variable' ? names[node.id]! : OPS[node.op!].value(...node.inputs.map((j) => values[j]!)),
    )
  }
  return values[graph.output]!
}

/** One typed expression (a value, an answer, a claim's value) as a graph; several statements are refused. */
function expressionGraph(text: string) {
  const program = parseProgram(text)
  if (program.statements.length > 1) throw new InputError(`"${excerpt(text.trim())}" is ${program.statements.length} statements; a value is one expression`)
  return buildGraph(program)
}

/** The names a typed expression uses (x, t3), in order of first use; none for a plain number. */
export function namesIn(text: string): string[] {
  const graph = expressionGraph(text)
  return graph.variables.map((i) => graph.nodes[i]!.id)
}

/** The name in `candidates` closest to `name` by edit distance, if it is plausibly a typo. */
export function closestName(name: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
