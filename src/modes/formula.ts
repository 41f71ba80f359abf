// A typed answer that is a formula (2*t3, x, w*(1 - h^2)) is judged as a formula: it must equal the
// true derivative as a function, not only at this point, where values such as 1, 0 and -1 make
// many wrong formulas give the right number. It is evaluated, as a computer-algebra grader would,
// at a few reproducible points where every variable of the program has moved, against the
// program traced again there.
import { evaluateText, namesIn } from '../bindings.js'
import type { Graph } from '../graph.js'
import { trace, type Trace } from '../trace.js'
import { nodeValues } from './refer.js'

/** Points the program is traced at besides the student's own: each a few steps away, same signs. */
const POINTS = 3

/** The program at other points, traced once each and only when a formula asks. */
export class Elsewhere {
  private traces: Trace[] | undefined

  constructor(
    private readonly graph: Graph,
    private readonly bindings: Record<string, number>,
  ) {}

  get points(): Trace[] {
    this.traces ??= Array.from({ length: POINTS }, (_, k) => {
      // Moved by a growing factor and offset, keeping each value's sign (log and sqrt stay defined).
      // Each variable by its own offset, so that x and w equal here are not equal there.
      const moved: Record<string, number> = Object.create(null)
      Object.entries(this.bindings).forEach(([name, value], i) => {
        const offset = 0.25 * (k + 1) + 0.125 * ((3 * i + k) % 7)
        moved[name] = value * (1 + 0.5 * (k + 1)) + offset * (value < 0 ? -1 : 1)
      })
      return trace(this.graph, moved, { checks: false, chains: false })
    })
    return this.traces
  }
}

/** Where a formula that is right here is wrong: with its names at `at`, it gives `yours`, the truth is `truth`. */
export interface FormulaSlip {
  /** Every variable as it was moved: what both numbers depend on. */
  at: [name: string, value: number][]
  /** The other names either formula uses (nodes, computed from the moved variables), at that point. */
  derived: [name: string, value: number][]
  yours: number
  truth: number
}

/**
 * The first point where the formula `text` departs from the truth (`truthAt` a trace), or
 * undefined when it agrees everywhere or is a plain number (a number is judged as a number).
 * `truthNames`: the names the true formula uses, whose moved values are shown beside the student's.
 */
export function formulaSlip(
  text: string,
  truthAt: (t: Trace) => number,
  elsewhere: Elsewhere,
  agrees: (claimed: number, truth: number) => boolean,
  truthNames: string[] = [],
): FormulaSlip | undefined {
  const names = namesIn(text)
  if (names.length === 0) return undefined
  for (const point of elsewhere.points) {
    const truth = truthAt(point)
    const values = nodeValues(point)
    if (!Number.isFinite(truth) || !names.every((name) => Object.hasOwn(values, name))) continue
    const yours = evaluateText(text, values)
    if (!Number.isFinite(yours) || !agrees(yours, truth)) {
      const variables = point.nodes.filter((n) => n.kind === 'variable').map((n) => n.label)
      return {
        at: variables.map((name) => [name, values[name]!]),
        derived: [...new Set([...names, ...truthNames])]
          .filter((name) => !variables.includes(name) && Object.hasOwn(values, name))
          .map((name) => [name, values[name]!]),
        yours,
        truth,
      }
    }
  }
  return undefined
}
