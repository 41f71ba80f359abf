// The plain-text notation of the terminal views (the trace, the quiz, the claim checker): one
// place that decides how ∂, products, factors and long sums are written, with --ascii honoured.
import { formatNumber } from '../format.js'
import { isNumber, printSym, type Sym, type SymStyle } from '../sym.js'
import type { Trace, TraceEdge } from '../trace.js'
import type { RenderOptions } from './index.js'
import { SUM_TERMS, repeatedArgument } from './shared.js'

export interface Notation {
  d: string
  times: string
  style: SymStyle
  warn: string
  /** The handwritten trace's step markers ① and ②, and ±. */
  step1: string
  step2: string
  plusMinus: string
}

export function notation(options: Pick<RenderOptions, 'ascii' | 'precision'>): Notation {
  const d = options.ascii ? 'd' : '∂'
  const times = options.ascii ? '*' : '·'
  return {
    d,
    times,
    warn: options.ascii ? '(!)' : '⚠',
    step1: options.ascii ? '(1)' : '①',
    step2: options.ascii ? '(2)' : '②',
    plusMinus: options.ascii ? '+/-' : '±',
    style: {
      number: (n) => formatNumber(n, options.precision),
      times,
      grad: (of, wrt) => `${d}${of}/${d}${wrt}`,
      superscripts: !options.ascii,
      spaced: true,
    },
  }
}

/** ∂t2/∂t1; for x*x, which uses x twice, the two local derivatives are told apart by argument: ∂t1/∂x[1], ∂t1/∂x[2]. */
export function localDerivativeName(trace: Trace, edge: TraceEdge, n: Notation): string {
  const argument = repeatedArgument(trace, edge)
  return `${n.d}${trace.nodes[edge.to]!.label}/${n.d}${trace.nodes[edge.from]!.label}` + (argument ? `[${argument}]` : '')
}

/** a + b + c, or its first terms and a count when there are many (a fan-out of 10,000). */
export function sumText(terms: Sym[], n: Notation): string {
  const shown = terms.slice(0, SUM_TERMS).map((t) => factor(t, n))
  return terms.length > SUM_TERMS ? `${shown.join(' + ')} + … (${terms.length} terms)` : shown.join(' + ')
}

/** A factor inside a product: negative numbers and compound expressions in parentheses. */
export function factor(s: Sym, n: Notation): string {
  const text = printSym(s, n.style)
  if (isNumber(s)) return s < 0 ? `(${text})` : text
  return typeof s === 'object' && 'op' in s ? `(${text})` : text
}

