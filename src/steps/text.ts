// The plain-text face of the terminal views (the trace, the quiz, the claim checker) and of the
// graph labels: one place that decides how ∂, products, factors and long sums are written, with
// --ascii honoured. What is written comes from the steps layer; this only writes it.
import { LIMITS } from '../limits.js'
import { formatNumber } from '../format.js'
import { OPS, type OpId } from '../ops.js'
import { printSym, type Sym, type SymStyle } from '../sym.js'
import { bracketedAsFactor, type Cell, type Mark, type Phrase } from './cells.js'

export interface Notation {
  d: string
  times: string
  style: SymStyle
  /** Writes a phrase or a cell in this notation. */
  print: (p: Phrase | Cell) => string
  /** A local derivative from its operation already written out: ∂(t1·x)/∂x, ∂tanh(t1)/∂t1. */
  local: (op: OpId, expression: string, wrt: string) => string
}

const MARKS: Record<Mark, [unicode: string, ascii: string]> = {
  step1: ['①', '(1)'],
  step2: ['②', '(2)'],
  times: ['·', '*'],
  plusMinus: ['±', '+/-'],
  warn: ['⚠', '(!)'],
  eta: ['η', 'lr'],
  arrow: ['←', '<-'],
  to: ['→', '->'],
}

/** A tangent: a dot over the name's first letter (ẋ, ṫ1), or dot(x) in ASCII. */
export const dotted = (name: string, ascii: boolean) => {
  if (ascii) return `dot(${name})`
  // NFC: ẋ and ṫ as the single characters they are, where Unicode has them.
  const [first, ...rest] = Array.from(name)
  return `${first}\u0307${rest.join('')}`.normalize('NFC')
}

/** `precision` undefined: numbers as short as round-trips allow (JSON). */
export function notation(options: { ascii: boolean; precision: number | undefined }): Notation {
  const d = options.ascii ? 'd' : '∂'
  const times = options.ascii ? '*' : '·'
  const style: SymStyle = {
    number: (n) => formatNumber(n, options.precision),
    times,
    grad: (of, wrt) => `${d}${of}/${d}${wrt}`,
    superscripts: !options.ascii,
    spaced: true,
  }
  const sym = (s: Sym) => printSym(s, style)
  const factor = (s: Sym) => (bracketedAsFactor(s) ? `(${sym(s)})` : sym(s))
  // A call is its own bracket (∂tanh(t1)/∂t1); an operator gets one (∂(t1·x)/∂x).
  const local = (op: OpId, expression: string, wrt: string) => `${d}${OPS[op].notation.kind === 'call' ? expression : `(${expression})`}/${d}${wrt}`
  const cell = (c: Cell): string => {
    switch (c.kind) {
      case 'name':
        return c.name
      case 'value':
        return c.precision === undefined ? sym(c.value) : printSym(c.value, { ...style, number: (n) => formatNumber(n, c.precision) })
      case 'factor':
        return factor(c.value)
      case 'local':
        return local(c.expression.op, sym(c.expression), sym(c.expression.args[c.slot]!))
      case 'grad':
        return `${d}${c.of}/${d}${c.wrt}`
      case 'tangent':
        return dotted(c.of, options.ascii)
      case 'product':
        return c.factors.map(cell).join(` ${times} `)
      case 'sum': {
        const shown = c.terms.slice(0, LIMITS.sumTerms).map(factor)
        return c.terms.length > LIMITS.sumTerms ? `${shown.join(' + ')} + … (${c.terms.length} terms)` : shown.join(' + ')
      }
      case 'mark':
        return MARKS[c.mark][options.ascii ? 1 : 0]
    }
  }
  const print = (p: Phrase | Cell) => (Array.isArray(p) ? p.map((part) => (typeof part === 'string' ? part : cell(part))).join('') : cell(p))
  return { d, times, style, print, local }
}
