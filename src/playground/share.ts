// What the playground keeps in its address and reads from its boxes, as plain functions (no page):
// the values box in the command line's own syntax (--x 1 --W "[1, 2; 3, 4]"), and the link
// #p=PROGRAM&x=1&w=1&step=7 that holds a program, its values and a step.
import { LIMITS } from '../limits.js'
import { BINDING_NAME, splitArgs } from '../cli/command.js'
import { PLAYGROUND as P } from '../steps/words.js'

/** One exercise as a link holds it. `values` is the values box's text. */
export interface Shared {
  program: string
  values: string
  step: number
}

/** The values box split as a shell splits arguments: on spaces, with "…" and '…' keeping one word. */
export function words(text: string): string[] | { error: string } {
  const out: string[] = []
  let word: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1)
      if (end < 0) return { error: P.unclosedQuote(c, i + 1) }
      word = (word ?? '') + text.slice(i + 1, end)
      i = end
    } else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word)
      word = undefined
    } else word = (word ?? '') + c
  }
  if (word !== undefined) out.push(word)
  return out
}

/** A word back in the box: quoted when it holds a space, a quote or nothing. */
const quoted = (word: string) => (/^[^\s"']+$/.test(word) ? word : word.includes('"') ? `'${word}'` : `"${word}"`)

/** Keys of the link that are not bindings; a variable of that name is written @p, @step, @v. */
const RESERVED = new Set(['p', 'step', 'v'])

/** The link for an exercise: bindings by name when the values box holds only bindings, else the box whole as v. */
export function writeHash({ program, values, step }: Shared): string {
  const params = new URLSearchParams()
  params.set('p', program)
  const split = bindingsOnly(values)
  if (split) for (const [name, value] of split) params.append(RESERVED.has(name) ? `@${name}` : name, value)
  else if (values.trim()) params.set('v', values)
  if (step > 1) params.set('step', String(step))
  // URLSearchParams writes a space as +; %20 reads the same everywhere and survives being pasted.
  return `#${params.toString().replace(/\+/g, '%20')}`
}

/** The values box's --NAME VALUE pairs when that is all it holds. */
function bindingsOnly(values: string): [string, string][] | undefined {
  const split = words(values)
  if (!Array.isArray(split)) return undefined
  try {
    const { options, positionals, bindings } = splitArgs(split, 'trace')
    return options.length === 0 && positionals.length === 0 ? bindings : undefined
  } catch {
    return undefined
  }
}

/** A link read back, or why it cannot be: too long, not percent-encoded, a key twice, a step that is not a number. */
export function readHash(hash: string): Shared | { error: string } | undefined {
  const text = hash.replace(/^#/, '')
  if (text === '' || /^step=\d+$/.test(text)) return undefined
  if (text.length > LIMITS.maxShareLength) return { error: P.linkTooLong(text.length, LIMITS.maxShareLength) }
  const seen = new Set<string>()
  const bindings: string[] = []
  let program: string | undefined
  let values = ''
  let step = 1
  for (const part of text.split('&')) {
    const eq = part.indexOf('=')
    let key: string
    let value: string
    try {
      // A + is a plus, as a program typed into a link by hand means it; a space is %20.
      key = decodeURIComponent(part.slice(0, eq < 0 ? undefined : eq))
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1))
    } catch {
      return { error: P.linkNotEncoded(part) }
    }
    if (seen.has(key)) return { error: P.linkTwice(key) }
    seen.add(key)
    if (key === 'p') program = value
    else if (key === 'v') values = value
    else if (key === 'step') {
      if (!/^[1-9]\d{0,6}$/.test(value)) return { error: P.linkStep(value) }
      step = Number(value)
    } else {
      const name = key.replace(/^@/, '')
      if (!BINDING_NAME.test(name) || (key === name && RESERVED.has(name))) return { error: P.linkKey(key) }
      bindings.push(`--${name} ${quoted(value)}`)
    }
  }
  if (program === undefined) return { error: P.linkNoProgram }
  if (values && bindings.length) return { error: P.linkBoth }
  return { program, values: values || bindings.join(' '), step }
}
