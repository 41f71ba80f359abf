// `for t = 1:T … end` in a tensor program, expanded into its statements before the graph is
// built: the body once per step, the loop's name replaced by the step's number. mathjs has no
// loops, so this is the one piece of syntax read here; the rest goes to mathjs as it stands.
// Backpropagation through time is then the graph's own backward pass: the same W at every step,
// its gradient the sum of one contribution per step.
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'

/** The program with its loops expanded, and for each statement of it the steps it belongs to (name → value). */
export interface Expanded {
  source: string
  steps: Record<string, number>[]
  /** For each statement of it, the 1-based statement of the program as written that it was expanded from. */
  origins: number[]
  /** The names read as loop bounds (--T 3): values, not variables of the program. */
  bounds: string[]
  /** A sentence for each loop that runs no step (for t = 3:1), which is a slip more often than a choice. */
  notes: string[]
}

const FOR = /^[ \t]*for[ \t]+([\p{L}_$][\p{L}\p{N}_$]*)\s*=\s*([^:]+?)\s*:\s*([^:]+?)\s*$/u
const END = /^\s*end\s*$/

/** Statements split at newlines and semicolons outside brackets, comments dropped; null when the program has no loop. */
function statements(source: string): string[] {
  const out: string[] = []
  let depth = 0
  let current = ''
  let comment = false
  for (const c of source) {
    if (comment) {
      if (c === '\n') comment = false
      else continue
    }
    if (c === '#' && !comment) {
      comment = true
      continue
    }
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth = Math.max(0, depth - 1)
    if ((c === '\n' || c === ';') && depth === 0) {
      out.push(current)
      current = ''
    } else current += c
  }
  out.push(current)
  return out.filter((s) => s.trim() !== '')
}

/** Whether the program has a loop (a `for` statement, or an `end` alone): only then is it expanded. */
export const hasLoop = (source: string) => /(^|[\n;])[ \t]*(for[ \t]+[\p{L}_$]|end[ \t]*($|[\n;#]))/u.test(source)

export function expandLoops(source: string, bindings: Record<string, string> = {}): Expanded {
  const list = statements(source)
  const bounds = new Set<string>()
  const bound = (text: string, what: string, loop: string): number => {
    const raw = /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(text) ? bindings[text] : text
    if (raw === undefined) throw new InputError(`${loop}: the loop bound ${text} has no value; bind it, as in --${text} 3, or write a number`)
    if (raw !== text) bounds.add(text)
    const value = Number(raw.trim())
    if (!Number.isInteger(value)) throw new InputError(`${loop}: the loop's ${what} ${text === raw ? text : `${text} = ${raw}`} is not a whole number`)
    return value
  }
  const out: string[] = []
  const steps: Record<string, number>[] = []
  const origins: number[] = []
  const notes: string[] = []
  let total = 0
  // Expands list[from..] until an `end` (inside a loop) or the program's end; returns where it stopped.
  const expand = (from: number, at: Record<string, number>, inLoop: string | undefined, emit: boolean): number => {
    let k = from
    while (k < list.length) {
      const text = list[k]!
      if (END.test(text)) {
        if (!inLoop) throw new InputError(`statement ${k + 1}: end without a for`)
        return k + 1
      }
      const loop = FOR.exec(text)
      if (loop) {
        const [, name, a, b] = loop as unknown as [string, string, string, string]
        const where = `statement ${k + 1}, for ${name} = ${a}:${b}`
        const first = bound(substitute(a, at), 'start', where)
        const last = bound(substitute(b, at), 'end', where)
        const count = Math.max(0, last - first + 1)
        if (count === 0 && emit) notes.push(`${where} runs no step: its start ${first} is past its end ${last} (a loop counts up by 1)`)
        if (count > LIMITS.maxLoopSteps) throw new InputError(`${where}: ${count} steps; the tutor's limit is ${LIMITS.maxLoopSteps} steps a loop`)
        let next = k + 1
        // The body is read once even for an empty loop, so that a missing `end` is always found.
        next = expand(k + 1, { ...at, [name]: first }, where, false)
        for (let t = first; t <= last && emit; t++) expand(k + 1, { ...at, [name]: t }, where, true)
        k = next
        continue
      }
      if (/^\s*for\b/.test(text))
        throw new InputError(`statement ${k + 1}: a loop is written for t = 1:T (a name, a start and an end), then its statements, then end`)
      if (emit) {
        if (++total > LIMITS.maxLoopStatements) throw new InputError(`the loops expand to more than ${LIMITS.maxLoopStatements} statements; the tutor's limit`)
        out.push(substitute(text, at))
        steps.push(at)
        origins.push(k + 1)
      }
      k++
    }
    if (inLoop) throw new InputError(`${inLoop}: the loop has no end; close it with a line that says end`)
    return k
  }
  expand(0, {}, undefined, true)
  return { source: out.join('\n'), steps, origins, bounds: [...bounds], notes }
}

/**
 * The program with each loop's `for` line and `end` blanked to spaces, every other character where
 * it was: parsed before the expansion, a syntax error in a loop's body is found at its own line
 * and column, not at those of the expanded program.
 */
export const withoutLoopLines = (source: string): string =>
  source.replace(/(^|[\n;])([ \t]*(?:for[ \t]+[^\n;#]*|end[ \t]*(?=$|[\n;#])))/gu, (_, before: string, line: string) => before + ' '.repeat(line.length))

/** The loops' names replaced by their steps' numbers, as whole words. */
function substitute(text: string, at: Record<string, number>): string {
  let out = text
  for (const [name, value] of Object.entries(at)) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_$#])${name}(?![\\p{L}\\p{N}_$])`, 'gu'), String(value))
  return out
}
