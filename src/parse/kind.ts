// Which engine reads a program, decided by reading it: one pass over its tokens, as the scanner
// reads them (comments skipped, a number's decimal point not taken for a dotted operator), looking
// for what only the tensor engine reads. The tensor engine's vocabulary (its functions and value
// generators) is handed in by its pipeline, so this layer imports nothing above it.
import { isLetter } from './scan.js'

export type ProgramKind = 'scalar' | 'tensor'

/** What the tensor engine alone reads: its function and generator names. */
export interface TensorVocabulary {
  calls: ReadonlySet<string>
  generators: ReadonlySet<string>
}

const isDigit = (c: string) => c >= '0' && c <= '9'
const isNamePart = (c: string) => isLetter(c) || isDigit(c)

/**
 * 'tensor' where the program uses brackets, a transpose, a dotted operator (.* ./ .^), a loop
 * (`for … end`) or a call to a tensor function or generator; 'scalar' otherwise, however it is
 * spelled (a typo in a scalar program is the scalar parser's to report).
 */
export function programKind(source: string, vocabulary: TensorVocabulary): ProgramKind {
  let statementStart = true
  for (let i = 0; i < source.length;) {
    const c = source[i]!
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++
    } else if (c === '\n' || c === ';') {
      statementStart = true
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') i++
    else if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? ''))) {
      i = numberEnd(source, i)
      statementStart = false
    } else if (isLetter(c)) {
      const start = i
      while (i < source.length && isNamePart(source[i]!)) i++
      const name = source.slice(start, i)
      let next = i
      while (source[next] === ' ' || source[next] === '\t') next++
      if (statementStart && ((name === 'for' && isLetter(source[next] ?? '')) || (name === 'end' && /^[\n;#]?$/.test(source[next] ?? '')))) return 'tensor'
      if (source[next] === '(' && (vocabulary.calls.has(name) || vocabulary.generators.has(name))) return 'tensor'
      statementStart = false
    } else {
      if (c === '[' || c === ']' || c === "'" || (c === '.' && '*/^'.includes(source[i + 1] ?? ' '))) return 'tensor'
      statementStart = false
      i++
    }
  }
  return 'scalar'
}

/** Where a number starting at `i` ends: digits, one decimal point, an exponent. */
function numberEnd(source: string, i: number): number {
  while (isDigit(source[i] ?? '')) i++
  // 2.*x is 2 .* x to mathjs only when no digit follows the point; 2.5 is a number.
  if (source[i] === '.' && !'*/^'.includes(source[i + 1] ?? ' ')) i++
  while (isDigit(source[i] ?? '')) i++
  if ((source[i] === 'e' || source[i] === 'E') && /[+-]?\d/.test(source.slice(i + 1, i + 3))) {
    i += source[i + 1] === '+' || source[i + 1] === '-' ? 2 : 1
    while (isDigit(source[i] ?? '')) i++
  }
  return i
}

/** A value that is a tensor: a literal (brackets), a file (@path), or a generator's call (randn(3, 2)). */
export function valueKind(text: string, vocabulary: TensorVocabulary): ProgramKind {
  if (/^\s*@/.test(text) || text.includes('[') || text.includes(']')) return 'tensor'
  return programKind(text, { calls: new Set(), generators: vocabulary.generators })
}
