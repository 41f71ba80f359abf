// What an unknown call probably meant: `w(x+b)` is a product written without its *, `f(x) = …` a
// function definition; and the message that says so.
import { InputError, describePosition } from '../errors.js'
import { supportedFunctions } from '../ops.js'

export function unknownFunction(name: string, offset: number, source: string): never {
  throw new InputError(
    `unknown function ${name} (at ${describePosition(source, offset)}). ` +
      (looksLikeProduct(source, offset, name) ? `If you meant multiplication, write ${productSuggestion(source, offset, name)}. ` : '') +
      `Supported functions: ${supportedFunctions().join(', ')}`,
    offset,
    source,
  )
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
