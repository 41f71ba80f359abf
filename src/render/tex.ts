// LaTeX for names, numbers and expressions, shared by the latex and markdown formats. Every string
// made here is rendered by KaTeX in the tests.
import { LIMITS } from '../limits.js'
import { formatNumber } from '../format.js'
import { OPS } from '../ops.js'
import { TOO_LONG_TEXT, precedence, prefixParens, type Sym } from '../sym.js'
import { bracketedAsFactor, type Cell, type Mark, type Phrase } from '../steps/cells.js'
import { notation } from '../steps/text.js'

const GREEK_LOWER = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi chi psi omega'.split(' ')
const GREEK = new Set([...GREEK_LOWER, ...'Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega'.split(' ')])
/** Greek letters typed as themselves (θ), by their names. */
const GREEK_LETTERS = new Map([...'αβγδεζηθικλμνξπρστυφχψω'].map((ch, i) => [ch, GREEK_LOWER[i]!]))
const ACCENTS: Record<string, string> = { hat: '\\hat', bar: '\\bar', tilde: '\\tilde', dot: '\\dot', vec: '\\vec' }

/** A base name: one letter as is, a Greek name as its letter, longer names upright. */
function base(name: string): string {
  if (GREEK.has(name)) return `\\${name}`
  const letter = GREEK_LETTERS.get(name)
  if (letter) return `\\${letter}`
  if (name.length === 1 && /[A-Za-z]/.test(name)) return name
  if (name === 'ℓ') return '\\ell'
  // Letters past ASCII (é) are text, not math, for pdflatex: \text takes them, \mathrm does not.
  const escaped = name.replace(/[$_]/g, (c) => `\\${c}`)
  return /[^\x00-\x7f]/.test(name) ? `\\text{${escaped}}` : `\\mathrm{${escaped}}`
}

/**
 * A program name in math notation, as people write it by hand: yhat and y_hat → \hat{y},
 * w1 and w_1 → w_{1}, theta → \theta, loss → \mathrm{loss}, c#2 (second assignment) → c^{(2)}.
 */
export function latexName(label: string): string {
  const numbered = /^(.*)#(\d+)$/.exec(label)
  if (numbered) return `{${latexName(numbered[1]!)}}^{(${numbered[2]})}`
  if (/^-?\d/.test(label)) return latexNumber(Number(label))
  const accent = /^([A-Za-z]|[a-zA-Z]+?)_?(hat|bar|tilde|dot|vec)$/.exec(label)
  if (accent && (accent[1]!.length === 1 || GREEK.has(accent[1]!))) return `${ACCENTS[accent[2]!]}{${base(accent[1]!)}}`
  const subscript = /^([A-Za-z]+|[α-ω])_?(\d+)$/.exec(label) ?? /^([A-Za-z]|[α-ω])_([A-Za-z0-9]+)$/.exec(label)
  if (subscript && (subscript[1]!.length === 1 || GREEK.has(subscript[1]!))) {
    const sub = /^\d+$/.test(subscript[2]!) ? subscript[2]! : base(subscript[2]!)
    return `${base(subscript[1]!)}_{${sub}}`
  }
  return base(label)
}

/** A number: exponent form as a power of ten, NaN and infinities by name. */
export function latexNumber(x: number, precision?: number): string {
  if (Number.isNaN(x)) return '\\mathrm{NaN}'
  if (x === Infinity) return '\\infty'
  if (x === -Infinity) return '-\\infty'
  const text = formatNumber(x, precision)
  const [mantissa, exponent] = text.split('e')
  if (exponent === undefined) return text
  return `${mantissa === '1' ? '' : `${mantissa} \\times `}10^{${Number(exponent)}}`
}

/** ∂of/∂wrt as a fraction. */
export function latexPartial(of: string, wrt: string): string {
  return `\\frac{\\partial ${latexName(of)}}{\\partial ${latexName(wrt)}}`
}

/** An expression in LaTeX, parenthesized by precedence as the text form is. */
export function latexSym(s: Sym, precision?: number): string {
  if (typeof s === 'number') return latexNumber(s, precision)
  if ('name' in s) return s.mark === undefined ? latexName(s.name) : `{${latexName(s.name)}}_{[${s.mark}]}`
  if ('grad' in s) return latexPartial(s.grad.of, s.grad.wrt)
  if ('tooLong' in s) return `\\text{${TOO_LONG_TEXT}}`
  const rule = OPS[s.op]
  const notation = rule.notation
  const p = notation.kind === 'infix' || notation.kind === 'prefix' ? notation.precedence : 9
  const args = s.args.map((arg, k) => {
    const text = latexSym(arg, precision)
    const q = precedence(arg)
    let paren = false
    if (rule.latex.parens === 'precedence') {
      paren = notation.kind === 'prefix' ? prefixParens(s.op, arg) : k === 0 ? q < p : q <= p
    } else if (rule.latex.parens === 'base') {
      paren = k === 0 && q <= p
    }
    return paren ? `\\left(${text}\\right)` : text
  })
  return rule.latex.template(args)
}

/** Characters that mean something to LaTeX in running text, and how to write them there. */
const TEXT_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '%': '\\%',
  _: '\\_',
  '^': '\\^{}',
  '~': '\\~{}',
}
const escapeText = (text: string) => text.replace(/[\\{}$&#%_^~]/g, (c) => TEXT_ESCAPES[c]!)

export interface TexFace {
  /** A cell in math mode. */
  math: (c: Cell) => string
  /** A phrase in math mode: words in \text{}. */
  mathPhrase: (p: Phrase) => string
  /** A phrase in running text: words as they are (Markdown) or escaped (LaTeX), cells in $…$. */
  text: (p: Phrase) => string
}

const TEX_MARKS: Record<Mark, string> = {
  step1: '(1)',
  step2: '(2)',
  times: '\\cdot',
  plusMinus: '\\pm',
  warn: '',
  eta: '\\eta',
  arrow: '\\leftarrow',
  to: '\\to',
}

/**
 * The LaTeX face of the steps, for the latex format and the math of the markdown format. Marks in
 * running text follow the medium: ① and · in Markdown (d-free ASCII with --ascii), $\cdot$ in LaTeX.
 */
export function texFace(options: { precision: number; medium: 'markdown' | 'latex'; ascii?: boolean }): TexFace {
  const p = options.precision
  const math = (c: Cell): string => {
    switch (c.kind) {
      case 'name':
        return latexName(c.name)
      case 'value':
        return latexSym(c.value, c.precision ?? p)
      case 'factor': {
        const text = latexSym(c.value, p)
        return bracketedAsFactor(c.value) ? `\\left(${text}\\right)` : text
      }
      case 'local': {
        const expression = latexSym(c.expression, p)
        const bracketed = OPS[c.expression.op].notation.kind === 'call' ? expression : `\\left(${expression}\\right)`
        return `\\frac{\\partial ${bracketed}}{\\partial ${latexSym(c.expression.args[c.slot]!, p)}}`
      }
      case 'grad':
        return latexPartial(c.of, c.wrt)
      case 'tangent':
        return `\\dot{${latexName(c.of)}}`
      case 'product':
        return c.factors.map(math).join(' \\cdot ')
      case 'sum':
        return (
          c.terms
            .slice(0, LIMITS.sumTerms)
            .map((t) => math({ kind: 'factor', value: t }))
            .join(' + ') + (c.terms.length > LIMITS.sumTerms ? ` + \\dots \\text{ (${c.terms.length} terms)}` : '')
        )
      case 'mark':
        return TEX_MARKS[c.mark]
    }
  }
  const marks = notation({ ascii: Boolean(options.ascii), precision: p })
  const word = (text: string) => (options.medium === 'latex' ? escapeText(text) : text)
  // Cells joined by signs alone (a = b, a + b, a, b) are one formula: $a = b$, not $a$ = $b$.
  const joins = (part: string | Cell | undefined) => typeof part === 'string' && /^ ?(=|\+|,) ?$/.test(part)
  const text = (phrase: Phrase) => {
    let written = ''
    let formula: string[] = []
    const close = () => {
      if (formula.length > 0) written += `$${formula.join('')}$`
      formula = []
    }
    phrase.forEach((part, k) => {
      // ① and ② are words, not maths: Markdown writes them as they are, LaTeX as (1) and (2).
      const inWords = typeof part !== 'string' && part.kind === 'mark' && (options.medium === 'markdown' || part.mark === 'step1' || part.mark === 'step2')
      if (typeof part !== 'string' && !inWords) formula.push(math(part))
      else if (formula.length > 0 && joins(part) && typeof phrase[k + 1] === 'object') formula.push(part === ', ' ? ',\\quad ' : ` ${(part as string).trim()} `)
      else {
        close()
        written += typeof part === 'string' ? word(part) : options.medium === 'markdown' ? marks.print(part) : TEX_MARKS[part.mark]
      }
    })
    close()
    return written
  }
  const mathPhrase = (phrase: Phrase) => phrase.map((part) => (typeof part === 'string' ? `\\text{${escapeText(part)}}` : math(part))).join('')
  return { math, mathPhrase, text }
}
