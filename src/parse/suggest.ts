// What an unknown call probably meant: `w(x+b)` is a product written without its *, `f(x) = …` a
// function definition; and the message that says so.
import { InputError, describePosition } from '../errors.js'
import { functionArities, supportedFunctions } from '../ops.js'
import { editDistance } from '../bindings.js'

export function unknownFunction(name: string, offset: number, source: string): never {
  const near = nearFunction(name, Object.keys(functionArities))
  throw new InputError(
    `unknown function ${name} (at ${describePosition(source, offset)}). ` +
      (near
        ? `Did you mean ${near}? `
        : looksLikeProduct(source, offset, name)
          ? `If you meant multiplication, write ${productSuggestion(source, offset, name)}. `
          : '') +
      `Supported functions: ${supportedFunctions().join(', ')}`,
    offset,
    source,
  )
}

/**
 * The function a misspelt call most likely meant (reluu, sigmod, tahn): one edit away, or two for a
 * name of five letters or more. Stricter than an option's typo, since a short name before a
 * parenthesis (w(x+b)) is more often a product than a function.
 */
export function nearFunction(name: string, functions: string[]): string | undefined {
  const lower = name.toLowerCase()
  const allowed = lower.length >= 5 ? 2 : 1
  let best: string | undefined
  let bestDistance = Infinity
  for (const f of functions) {
    // Two letters swapped (tahn) count as one slip; at equal distance the name of the same length wins (tanh over tan).
    const d = (swapped(lower, f) ? 1 : editDistance(lower, f)) + (f.length === lower.length ? 0 : 0.5)
    if (d < bestDistance && d <= allowed + 0.5 && d < f.length - 1) [best, bestDistance] = [f, d]
  }
  return best
}

const swapped = (a: string, b: string) => {
  if (a.length !== b.length) return false
  const diff = [...a].flatMap((ch, i) => (ch === b[i] ? [] : [i]))
  return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!]
}

/** Whether the parenthesis at `open` closes and is followed by a single `=`: f(x) = … */
export function isDefinition(source: string, open: number): boolean {
  let depth = 0
  for (let i = open; i < source.length; i++) {
    if (source[i] === '(') depth++
    else if (source[i] === ')' && --depth === 0) {
      const rest = /^[ \t]*=(?!=)/.exec(source.slice(i + 1, i + 64))
      return rest !== null
    } else if (source[i] === '\n' || source[i] === ';') return false
  }
  return false
}

/** w(x+b) is probably a product; import("fs") is not. */
function looksLikeProduct(source: string, offset: number, name: string): boolean {
  return name.length <= 5 && !/["'`]/.test(productSuggestion(source, offset, name))
}

/** `w(x+b)` → `w*(x+b)`: the call's text with a * inserted, shortened when long. */
function productSuggestion(source: string, offset: number, name: string): string {
  const open = source.indexOf('(', offset)
  let depth = 0
  for (let i = open; i >= 0 && i < source.length && i < open + 60; i++) {
    if (source[i] === '(') depth++
    else if (source[i] === ')' && --depth === 0) return `${name}*${source.slice(open, i + 1)}`
  }
  return `${name}*(…)`
}
