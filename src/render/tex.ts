// LaTeX for names, numbers and expressions, shared by the latex and markdown formats. Every string
// made here is rendered by KaTeX in the tests.
import { formatNumber } from '../format.js'
import { OPS } from '../ops.js'
import { precedence, type Sym } from '../sym.js'

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi',
  'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi',
  'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega',
])
const GREEK_LETTERS: Record<string, string> = Object.fromEntries(
  'αβγδεζηθικλμνξπρστυφχψω'.split('').map((ch, i) => [ch, ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega'][i]!]),
)
const ACCENTS: Record<string, string> = { hat: '\\hat', bar: '\\bar', tilde: '\\tilde', dot: '\\dot', vec: '\\vec' }

/** A base name: one letter as is, a Greek name as its letter, longer names upright. */
function base(name: string): string {
  if (GREEK.has(name)) return `\\${name}`
  if (GREEK_LETTERS[name]) return `\\${GREEK_LETTERS[name]}`
  if (name.length === 1 && /[A-Za-z]/.test(name)) return name
  return `\\mathrm{${name.replace(/[$_]/g, (c) => `\\${c}`)}}`
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
  if ('name' in s) return latexName(s.name)
  if ('grad' in s) return latexPartial(s.grad.of, s.grad.wrt)
  const rule = OPS[s.op]
  const notation = rule.notation
  const p = notation.kind === 'infix' || notation.kind === 'prefix' ? notation.precedence : 9
  const args = s.args.map((arg, k) => {
    const text = latexSym(arg, precision)
    const q = precedence(arg)
    let paren = false
    if (rule.latex.parens === 'precedence') {
      paren = notation.kind === 'prefix' ? q <= p : k === 0 ? q < p : q <= p
    } else if (rule.latex.parens === 'base') {
      paren = k === 0 && q <= p
    }
    return paren ? `\\left(${text}\\right)` : text
  })
  return rule.latex.template(args)
}
