// A written trace (Markdown, LaTeX or plain text) read into claims, each with the line it was
// written on: the maths found ($…$, $$…$$, ```math, \[…\], align), split into claims (\quad,
// commas, a new derivative after a value) and chain steps (= and ≈, each a claim), and a line of
// numbers under an equation read as more steps of that equation. Prose is kept and skipped.
import { DERIVATIVE_CLOSE, DERIVATIVE_MARK, DERIVATIVE_OPEN, DERIVATIVE_SEPARATOR, Unreadable, fromLatex, matching } from './latex.js'

export type Syntax = 'markdown' | 'latex' | 'plain'

/** Maths found in the file: its text, the line it starts on, and the line its block ends on. */
interface Unit {
  source: string
  line: number
  /** The last line of the block it is in: an annotation goes after it, never inside the maths. */
  end: number
  /** Maths inside a sentence ($3$ in "there are $3$ inputs"): never a value for the equation above. */
  inline?: true
}

/** A derivative the student wrote, in the tool's syntax: ∂of/∂wrt. */
export interface Derivative {
  of: string
  wrt: string
}

export interface WrittenClaim {
  /** 1-based line of the file. */
  line: number
  /** The line after which an annotation goes (the end of the maths block). */
  end: number
  /** The claim as written: the derivative and this step's value, in the student's own text. */
  text: string
  /** What it was read as, in the tool's syntax (d loss / d x = 1), or undefined when unreadable. */
  reads?: string
  lhs?: Derivative
  /** The value in the tool's syntax; derivatives in it are factors[k], written as DERIVATIVE marks. */
  value?: string
  factors?: Derivative[]
  unreadable?: string
  /** A claim made inside a factor (a boxed ≈): the equation it is in goes on below it, not this. */
  side?: true
  /** A derivative with no value yet (∂f/∂a alone, or ending in =): the next line's = 5 gives it one. */
  pending?: true
}

/** What names mean in this program, for reading xw as x*w and a prime as d/dx. */
export interface Names {
  /** Node names, variables and assigned names. */
  known: Set<string>
  functions: Set<string>
  /** The program's variables: f'(x) needs one of them. */
  variables: string[]
  /** The output's name: f' with f not a node means the output. */
  output: string
}

export function syntaxOf(path: string, text: string): Syntax {
  if (/\.(md|markdown|mdown|mkd)$/i.test(path)) return 'markdown'
  if (/\.(tex|latex|ltx)$/i.test(path)) return 'latex'
  if (/\.(txt|text)$/i.test(path)) return 'plain'
  if (/\\documentclass|\\begin\{(align|equation|document)/.test(text)) return 'latex'
  return /\$[^$\n]+\$|^```math/m.test(text) ? 'markdown' : 'plain'
}

/** Every claim of the file, in the order written. */
export function readWritten(text: string, syntax: Syntax, names: Names, limit = Infinity): WrittenClaim[] {
  const claims: WrittenClaim[] = []
  let previous: WrittenClaim | undefined
  for (const unit of unitsOf(text, syntax)) {
    const found = claimsOfUnit(unit, names, previous)
    claims.push(...found.filter((c) => !c.pending))
    // Past the limit the caller refuses the file: reading on would only cost time.
    if (claims.length > limit) break
    // A line of numbers continues the last equation above it, with only prose between.
    const equation = found.filter((c) => !c.side)
    previous = equation.length > 0 ? equation[equation.length - 1] : looksLikeMaths(unit.source) ? undefined : previous
  }
  return claims
}

const looksLikeMaths = (s: string) => /[=≈]|\\approx/.test(s)

/** The maths of a file, by syntax. */
function unitsOf(text: string, syntax: Syntax): Unit[] {
  const lines = text.split(/\r\n|\n|\r/)
  if (syntax === 'plain') return plainUnits(lines)
  if (syntax === 'latex') return latexUnits(lines)
  return markdownUnits(lines)
}

/** Plain text: each line that holds a derivative, or a line of numbers, is maths (LaTeX or not). */
function plainUnits(lines: string[]): Unit[] {
  // $…$ in a plain file is maths as in Markdown: the dollars themselves are taken off.
  return lines.flatMap((source, k) =>
    source.trim() === '' || /^\s*#/.test(source) ? [] : [{ source: unlabelled(source.replace(/(?<!\\)\$+/g, ' ')), line: k + 1, end: k + 1 }],
  )
}

/** A line's label before its claim ("local: ∂f/∂s = u", "1. dL/dx = 2", "- dL/dw = 4") taken off. */
const unlabelled = (line: string) =>
  line.replace(/^\s*(?:[-*+]\s+|\(?[\p{L}\p{N}]{1,4}[.):]\s+)?(?:[\p{L}][\p{L}\p{N} ]{0,30}:\s+)?(?=\\d?frac|\\partial|∂|d\s*[(\p{L}])/u, '')

/** Markdown: $$…$$ (over several lines too), $…$, ```math blocks; other code blocks are skipped. */
function markdownUnits(lines: string[]): Unit[] {
  const units: Unit[] = []
  let fence: { math: boolean; marker: string } | undefined
  let block: { parts: [string, number][] } | undefined
  lines.forEach((line, k) => {
    const fenceMatch = /^\s*(```+|~~~+)\s*(\w*)/.exec(line)
    if (fence) {
      if (fenceMatch && fenceMatch[1]!.startsWith(fence.marker)) {
        if (fence.math) units.push(...block!.parts.map(([source, at]) => ({ source, line: at, end: k + 1 })))
        fence = undefined
        block = undefined
      } else if (fence.math) block!.parts.push(...rows(line, k + 1))
      return
    }
    if (fenceMatch) {
      fence = { math: fenceMatch[2] === 'math', marker: fenceMatch[1]! }
      block = { parts: [] }
      return
    }
    if (block) {
      // Inside $$ … $$ over several lines.
      const close = line.indexOf('$$')
      block.parts.push(...rows(close < 0 ? line : line.slice(0, close), k + 1))
      if (close >= 0) {
        units.push(...block.parts.map(([source, at]) => ({ source, line: at, end: k + 1 })))
        block = undefined
        units.push(...inlineMaths(line.slice(close + 2), k + 1))
      }
      return
    }
    const opened = displayOpening(line)
    if (opened !== undefined) {
      units.push(...inlineMaths(line.slice(0, opened.at), k + 1))
      block = { parts: rows(line.slice(opened.at + 2), k + 1) }
      return
    }
    const found = inlineMaths(line, k + 1)
    // Outside $…$, a line may still state a derivative in plain text (∂loss/∂x = 2, dL/dw = 4).
    units.push(...(found.length > 0 ? found : plainDerivativeLine(line) ? [{ source: unlabelled(line), line: k + 1, end: k + 1 }] : []))
  })
  // A $$ or ```math never closed runs to the end of the file, as a renderer shows it.
  if (block && (!fence || fence.math)) units.push(...block.parts.map(([source, at]) => ({ source, line: at, end: lines.length })))
  return units
}

/** A $$ that opens a display not closed on the same line. */
function displayOpening(line: string): { at: number } | undefined {
  let at = -1
  let open = -1
  while ((at = line.indexOf('$$', at + 1)) >= 0) {
    if (open < 0) open = at
    else open = -1
    at++
  }
  return open >= 0 ? { at: open } : undefined
}

/** $$…$$ and $…$ within one line. */
function inlineMaths(line: string, number: number): Unit[] {
  const units: Unit[] = []
  const pattern = /\$\$([^$]+)\$\$|(?<![\\$])\$([^$\n]+?)\$(?!\$)/g
  // Maths with words beside it on its line is part of a sentence.
  const inSentence = /[\p{L}]{2,}/u.test(line.replace(pattern, ''))
  for (const m of line.matchAll(pattern))
    units.push(...rows(m[1] ?? m[2]!, number).map(([source]) => ({ source, line: number, end: number, ...(inSentence ? { inline: true as const } : {}) })))
  return units
}

const plainDerivativeLine = (line: string) => /^(∂|d\s*\(|d\s*[\p{L}])[^=]*\/\s*(∂|d)[^=]*=/u.test(unlabelled(line))

/** A display's rows: \\ breaks an align into lines of their own; & aligns and is dropped. */
function rows(text: string, line: number): [string, number][] {
  return text
    .split(/\\\\(?:\[[^\]]*\])?/)
    .map((row) => row.replace(/\\(begin|end)\{[a-z*]+\}(\{[^}]*\})?/g, ' ').replace(/(?<!\\)&/g, ' '))
    .filter((row) => row.trim() !== '')
    .map((row) => [row, line])
}

/** LaTeX: \[…\], \(…\), $$…$$, $…$ and the equation environments; % comments and prose skipped. */
function latexUnits(lines: string[]): Unit[] {
  const units: Unit[] = []
  const text = lines.map((l) => l.replace(/(?<!\\)%.*$/, '')).join('\n')
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length
  const displays =
    /\\\[([\s\S]*?)\\\]|\\\(([\s\S]*?)\\\)|\$\$([\s\S]*?)\$\$|(?<!\\)\$([^$]+?)\$|\\begin\{(equation|align|gather|multline|eqnarray|math|displaymath|flalign)(\*?)\}([\s\S]*?)\\end\{\5\6\}/g
  for (const m of text.matchAll(displays)) {
    const body = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[7]!
    const start = m.index! + m[0].indexOf(body)
    const end = lineAt(m.index! + m[0].length)
    let offset = start
    // Each row with the length of the \\ (or \\[10pt]) that ends it, so line numbers stay true.
    const rowsWithBreaks = body.split(/(\\\\(?:\[[^\]]*\])?)/)
    for (let r = 0; r < rowsWithBreaks.length; r += 2) {
      const row = rowsWithBreaks[r]!
      const breakLength = rowsWithBreaks[r + 1]?.length ?? 0
      const source = row.replace(/\\(label|tag)\{[^}]*\}/g, ' ').replace(/(?<!\\)&/g, ' ')
      if (row.trim() !== '') units.push({ source, line: lineAt(offset + row.search(/\S/)), end })
      offset += row.length + breakLength
    }
  }
  return units
}

/** One piece of maths split at the source: claims, each a left-hand side and its steps. */
interface Piece {
  parts: string[]
  /** Between the parts: = or ≈. */
  signs: ('=' | '≈')[]
}

/** Where claims and steps divide, at the top level of the source: \quad , ; = ≈ and a new derivative after a value. */
function piecesOf(source: string): Piece[] {
  const pieces: Piece[] = []
  let parts: string[] = ['']
  let signs: Piece['signs'] = []
  const close = () => {
    if (parts.some((p) => p.trim() !== '')) pieces.push({ parts, signs })
    parts = ['']
    signs = []
  }
  let depth = 0
  // Sticky patterns tried at i: a long line is scanned once, never copied from each position.
  const at = (pattern: RegExp, i: number) => ((pattern.lastIndex = i), pattern.exec(source))
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    // "… = 1 \frac{\partial loss}{\partial w} = 1": a derivative after a finished value starts a
    // claim, when it has a value of its own; \frac{…}{…}\frac{…}{…} with none is a product.
    if (
      depth === 0 &&
      parts.length > 1 &&
      parts[parts.length - 1]!.trim() !== '' &&
      at(DERIVATIVE_START, i) &&
      !/(\\cdot|\\times|[-+*/(^_·×⋅∙])\s*$/.test(parts[parts.length - 1]!) &&
      // A value that holds a derivative is a chain: one more side by side is one more factor.
      !new RegExp(DERIVATIVE_START.source).test(parts[parts.length - 1]!) &&
      valueFollows(source, i)
    )
      close()
    // A command is one piece: \, and \; are spaces, never the claims' commas and semicolons.
    const command = c === '\\' ? at(/\\([a-zA-Z]+|.?)/y, i)! : undefined
    if (command && !/^\\(q?quad|approx|simeq|Rightarrow|implies|therefore|iff|Longrightarrow)$/.test(command[0])) {
      parts[parts.length - 1] += command[0]
      i += command[0].length - 1
      continue
    }
    if (c === '{' || c === '(' || c === '[') depth++
    if (c === '}' || c === ')' || c === ']') depth--
    if (depth === 0) {
      const boundary = at(/(\\q?quad(?![a-zA-Z])|\\(?:Rightarrow|implies|therefore|iff|Longrightarrow)(?![a-zA-Z])|⇒|,|;)/y, i)
      if (boundary) {
        close()
        i += boundary[0].length - 1
        continue
      }
      const step = at(/(=|≈|\\approx(?![a-zA-Z])|\\simeq(?![a-zA-Z]))/y, i)
      if (step) {
        parts.push('')
        signs.push(step[0] === '=' ? '=' : '≈')
        i += step[0].length - 1
        continue
      }
    }
    parts[parts.length - 1] += c
  }
  close()
  return pieces
}

const DERIVATIVE_START = /(\\d?frac\s*\{\s*(\\partial|∂|d)|\\partial(?![a-zA-Z])|∂)/y

/** Whether an = or ≈ follows at the top level before the next \quad, comma or semicolon. */
function valueFollows(source: string, from: number): boolean {
  let depth = 0
  for (let i = from; i < source.length; i++) {
    const c = source[i]!
    if (c === '\\') {
      const word = /^\\([a-zA-Z]+)/.exec(source.slice(i, i + 12))?.[1]
      if (depth === 0 && (word === 'approx' || word === 'simeq')) return true
      if (depth === 0 && (word === 'quad' || word === 'qquad')) return false
      i += word ? word.length : 1
      continue
    }
    if (c === '{' || c === '(' || c === '[') depth++
    else if (c === '}' || c === ')' || c === ']') depth--
    else if (depth === 0 && (c === '=' || c === '≈')) return true
    else if (depth === 0 && (c === ',' || c === ';')) return false
  }
  return false
}

/** Maths longer than this is not read (reading is quadratic in the worst case): said so where it mentions a derivative. */
export const MAX_UNIT = 2000

/**
 * A piece's parts in the tool's syntax. Prose in a part makes the piece prose, but words before
 * its derivative ("Then dloss/dw = 5") are taken off first: a claim is never lost to its lead-in.
 */
function readParts(written: string[], names: Names): string[] {
  try {
    return written.map((p) => resolve(fromLatex(p), names))
  } catch (error) {
    const start = written[0]!.search(/\\d?frac\s*\{\s*(\\partial|∂|d)|\\partial(?![a-zA-Z])|∂|(?<![\p{L}\p{N}_])d\s*[\p{L}(][^=]*\/\s*[d∂]/u)
    if (!(error instanceof Prose) || start <= 0) throw error
    return readParts([written[0]!.slice(start), ...written.slice(1)], names)
  }
}

function claimsOfUnit(unit: Unit, names: Names, previous: WrittenClaim | undefined): WrittenClaim[] {
  // An update, w := w - η ∂L/∂w, assigns rather than claims: kept and skipped.
  if (/:=|\\leftarrow(?![a-zA-Z])|\\gets(?![a-zA-Z])|←/.test(unit.source)) return []
  if (unit.source.length > MAX_UNIT) {
    if (!mentionsDerivative(unit.source)) return []
    const text = `${unit.source.trim().slice(0, 60)}…`
    return [
      {
        line: unit.line,
        end: unit.end,
        text,
        unreadable: `this maths is ${unit.source.length} characters long; a claim is read from at most ${MAX_UNIT}: split it`,
      },
    ]
  }
  return claimsOfPieces(unit, names, previous)
}

function claimsOfPieces(unit: Unit, names: Names, previous: WrittenClaim | undefined): WrittenClaim[] {
  const claims: WrittenClaim[] = []
  for (const piece of piecesOf(unit.source)) {
    const at = { line: unit.line, end: unit.end }
    // A trailing remark in parentheses, "(since u = 5)", is prose: kept and skipped.
    const written = piece.parts.map((p) => p.trim().replace(/\s*\((?=[^()]*[\p{L}]{2,}\s+[\p{L}])[^()]*\)$/u, ''))
    let read: string[]
    try {
      read = readParts(written, names)
    } catch (error) {
      if (error instanceof Prose) continue
      if (!(error instanceof Unreadable)) throw error
      if (mentionsDerivative(unit.source)) claims.push({ ...at, text: written.join(' = '), unreadable: error.message })
      continue
    }
    const lhs = derivativeAlone(read[0]!)
    // ∂f/∂a alone on its line, or ending in =: its value comes on the next line.
    if (lhs && (read.length === 1 || (read.length === 2 && read[1] === ''))) {
      if (!unit.inline) claims.push({ ...at, text: written[0]!, lhs, pending: true })
      continue
    }
    if (lhs) {
      for (let k = 1; k < read.length; k++) {
        const { value, sides } = unboxApprox(read[k]!)
        claims.push(step(at, `${written[0]} = ${written[k]}`, lhs, value))
        const boxed = /\\boxed\s*\{/.exec(written[k]!)
        const text = boxed ? written[k]!.slice(boxed.index, matching(written[k]!, boxed.index + boxed[0].length - 1) + 1) : written[k]!
        for (const [side, rest] of sides) claims.push({ ...step(at, text, side, rest), side: true })
      }
      continue
    }
    // A line of numbers under an equation: more steps of that equation's claim.
    // It is one when it starts with = or ≈, or holds no = (2 \cdot 2(1) \approx 4), on a line below the equation.
    // Never maths in a sentence, nor more than a blank line below the equation.
    const continues =
      previous?.lhs &&
      !unit.inline &&
      previous.line < unit.line &&
      unit.line - previous.end <= 2 &&
      !read.some(hasDerivative) &&
      // A line of numbers; one that uses names (an update w - 0.01·4) only when it starts with = or ≈.
      (written[0] === ''
        ? read.every((r) => onlyKnownNames(r, names))
        : read.every((r) => !/[\p{L}]/u.test(r.replace(/\b(sqrt|exp|log|e|pi)\b/g, ''))) && !piece.signs.includes('='))
    if (continues && previous?.lhs) {
      const steps = written[0] === '' ? read.slice(1) : read
      const texts = written[0] === '' ? written.slice(1) : written
      steps.forEach((value, k) => claims.push(step(at, texts[k]!, previous.lhs!, value)))
      continue
    }
    if (read.some(hasDerivative) && read.length > 1)
      claims.push({ ...at, text: written.join(' = '), unreadable: 'expected a derivative on the left of =, as in \\frac{\\partial loss}{\\partial x} = 2' })
  }
  return claims
}

/**
 * A ≈ inside a factor (\boxed{∂(ŷ−y)/∂ŷ ≈ ∂(ŷ−y)/∂(xw+b)}): the factor is its first side, and the
 * sides' equality is a claim of its own.
 */
function unboxApprox(value: string): { value: string; sides: [Derivative, string][] } {
  const sides: [Derivative, string][] = []
  let at: number
  while ((at = value.indexOf('≈')) >= 0) {
    let open = at
    for (let depth = 0; open >= 0; open--) {
      if (value[open] === ')') depth++
      if (value[open] === '(' && depth-- === 0) break
    }
    const close = open < 0 ? value.length : matchingParen(value, open)
    const inner = value.slice(open + 1, close < 0 ? value.length : close)
    const [first, ...rest] = inner.split('≈').map((p) => p.trim())
    const lhs = derivativeAlone(first!)
    if (lhs) for (const other of rest) sides.push([lhs, other])
    value = `${value.slice(0, open + 1)}${first}${close < 0 ? '' : value.slice(close)}`
  }
  return { value, sides }
}

/** Whether every name in a value is the program's, a function or a constant: "Backward" is a heading, not a value. */
function onlyKnownNames(value: string, names: Names): boolean {
  return (value.match(/[\p{L}_$][\p{L}\p{N}_$]*/gu) ?? []).every(
    (n) => names.known.has(n) || names.functions.has(n) || n === 'pi' || n === 'e' || n === 'sigmoid',
  )
}

const mentionsDerivative = (s: string) => /\\partial|∂|\\frac\s*\{\s*d|(?<![\p{L}\p{N}_])d\s*[\p{L}(][^=]{0,40}\/\s*d/u.test(s)
const hasDerivative = (s: string) => s.includes(DERIVATIVE_OPEN)

/** The derivative a side is, when it is one derivative alone (in parentheses or not). */
function derivativeAlone(side: string): Derivative | undefined {
  const m = new RegExp(`^\\s*\\(*\\s*${DERIVATIVE_MARK}\\s*\\)*\\s*$`).exec(side)
  return m ? { of: m[1]!, wrt: m[2]! } : undefined
}

const writeDerivative = (d: Derivative) => `d ${bracket(d.of)} / d ${bracket(d.wrt)}`

/** A side of d A / d B as the claim parser needs it: a name or a power as it is, anything else in parentheses. */
function bracket(s: string): string {
  const grouped = s.startsWith('(') && matchingParen(s, 0) === s.length - 1
  if (grouped) return bracket(s.slice(1, -1))
  return /^([\p{L}_$][\p{L}\p{N}_$]*|\([^()]*\))(\^[\p{L}\p{N}.]+)?$/u.test(s) ? s : `(${s})`
}

function matchingParen(s: string, open: number): number {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++
    else if (s[i] === ')' && --depth === 0) return i
  }
  return -1
}

function step(at: { line: number; end: number }, text: string, lhs: Derivative, value: string): WrittenClaim {
  const factors: Derivative[] = []
  const marked = new RegExp(DERIVATIVE_MARK, 'g')
  const shown = value.replace(marked, (_, of: string, wrt: string) => {
    factors.push({ of, wrt })
    return `(${writeDerivative({ of, wrt })})`
  })
  return { ...at, text, reads: `${writeDerivative(lhs)} = ${shown.trim()}`, lhs, value: value.trim(), ...(factors.length ? { factors } : {}) }
}

const TOKEN = new RegExp(
  `${DERIVATIVE_OPEN}[^${DERIVATIVE_CLOSE}]*${DERIVATIVE_CLOSE}|\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+|[\\p{L}_$][\\p{L}\\p{N}_$]*|'|\\S`,
  'gu',
)
const OPERAND_END = (t: string) => /^[\p{L}\p{N}_$.)]/u.test(t) || t.startsWith(DERIVATIVE_OPEN) || t === "'"
const OPERAND_START = (t: string) => /^[\p{L}\p{N}_$.(]/u.test(t) || t.startsWith(DERIVATIVE_OPEN)

/**
 * Translated text with its names resolved (xw as x*w, x_1 as x1, σ as sigma or sigmoid), plain
 * derivatives (∂loss/∂x, dloss/dx, d(x*w)/dx, f'(x)) marked, and implied products made explicit.
 */
export function resolve(text: string, names: Names): string {
  let tokens = (text.match(TOKEN) ?? []).map((t) => (t.startsWith(DERIVATIVE_OPEN) ? resolveDerivative(t, names) : t))
  refuseProse(tokens, names)
  tokens = markPlainDerivatives(tokens, names)
  tokens = markPrimes(tokens, names)
  const out: string[] = []
  let calling = false
  tokens.forEach((token, k) => {
    const call = tokens[k + 1] === '(' && isFunction(token, names)
    const name = call ? (token === 'σ' ? 'sigmoid' : token) : /^[\p{L}_$]/u.test(token) ? nameFor(token, names) : token
    const before = out[out.length - 1]
    // An implied product (2(1), x w, 2x): an operand right after another, except a call's own parenthesis.
    if (before !== undefined && OPERAND_END(before) && OPERAND_START(name) && !(calling && name === '(')) out.push('*')
    out.push(name)
    calling = call
  })
  return spaced(out)
}

/** Tokens as the tool writes an expression: x*w + b, 2*(1), (yhat - y)^2, max(a, b). */
function spaced(tokens: string[]): string {
  let text = ''
  // A sign is unary at the start and after an operator or an opening parenthesis: -0.5, 2*(-x).
  const unary = (k: number) => (tokens[k] === '-' || tokens[k] === '+') && (k === 0 || /^[-+*/^(,=≈]$/.test(tokens[k - 1]!))
  tokens.forEach((t, k) => {
    const before = tokens[k - 1]
    const tight = before === undefined || before === '(' || t === ')' || t === ',' || t === '^' || before === '^' || t === '*' || before === '*' || t === '('
    text += tight || unary(k - 1) ? t : ` ${t}`
  })
  return text.replace(/,(?=\S)/g, ', ').trim()
}

/** Words side by side, one of them no name of the program ("x at x", "A tutor shows"): prose, not maths. */
function refuseProse(tokens: string[], names: Names): void {
  const word = (t: string | undefined) => t !== undefined && /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(t)
  const unknown = (t: string) => t.length >= 2 && !names.known.has(t) && !names.functions.has(t) && !splitsIntoNames(t, names)
  for (let k = 0; k + 1 < tokens.length; k++) {
    const [a, b] = [tokens[k]!, tokens[k + 1]!]
    if (word(a) && word(b) && (unknown(a) || unknown(b)) && !(a === 'd' || b === 'd')) throw new Prose()
  }
}

const splitsIntoNames = (t: string, names: Names) => nameFor(t, names) !== t

/** Prose that mentions maths: kept and skipped, never judged. */
export class Prose extends Error {}

const isFunctionName = (t: string, names: Names) => names.functions.has(t) && !names.known.has(t)
const isFunction = (t: string, names: Names) => isFunctionName(t, names) || (t === 'σ' && !names.known.has('σ') && !names.known.has('sigma'))

function resolveDerivative(token: string, names: Names): string {
  const [of, wrt, ...more] = token.slice(1, -1).split(DERIVATIVE_SEPARATOR)
  if (more.length > 0 || of!.includes(DERIVATIVE_OPEN) || wrt!.includes(DERIVATIVE_OPEN))
    throw new Unreadable('a derivative inside a derivative cannot be read')
  return `${DERIVATIVE_OPEN}${resolve(of!, names)}${DERIVATIVE_SEPARATOR}${resolve(wrt!, names)}${DERIVATIVE_CLOSE}`
}

const GREEK_NAMES: Record<string, string> = {
  α: 'alpha',
  β: 'beta',
  γ: 'gamma',
  δ: 'delta',
  ε: 'epsilon',
  η: 'eta',
  θ: 'theta',
  λ: 'lambda',
  μ: 'mu',
  σ: 'sigma',
  τ: 'tau',
  φ: 'phi',
  ω: 'omega',
}

/** A name as the program knows it: itself, without its subscript's _, in Greek or Latin spelling, or a product of names (xw). */
function nameFor(name: string, names: Names): string {
  if (name.startsWith(DERIVATIVE_OPEN)) return name
  const known = (n: string) => names.known.has(n) || n === 'pi' || n === 'e'
  if (known(name)) return name
  const spellings = [name.replace(/_/g, ''), GREEK_NAMES[name] ?? '', Object.entries(GREEK_NAMES).find(([, latin]) => latin === name)?.[0] ?? '']
  for (const s of spellings) if (s && known(s)) return s
  const product = splitIntoNames(name, known)
  return product ? product.join('*') : name
}

/** xw as [x, w] when each piece is a name of the program (the longest names first). */
function splitIntoNames(name: string, known: (n: string) => boolean): string[] | undefined {
  // A product of names is short; a long word is not one (and the search would be cubic in it).
  if (name.length > 24) return undefined
  const best: (string[] | undefined)[] = new Array(name.length + 1).fill(undefined)
  best[0] = []
  for (let i = 1; i <= name.length; i++) {
    for (let j = 0; j < i; j++) {
      const piece = name.slice(j, i)
      if (best[j] && known(piece) && (!best[i] || best[j]!.length + 1 < best[i]!.length)) best[i] = [...best[j]!, piece]
    }
  }
  const found = best[name.length]
  return found && found.length > 1 ? found : undefined
}

const TERMINATOR = new Set(['*', '=', '≈', ',', ';'])

/** ∂A/∂B, d A / d B, dA/dB and d(A)/dB among tokens, as marked derivatives. */
function markPlainDerivatives(tokens: string[], names: Names): string[] {
  const out: string[] = []
  for (let k = 0; k < tokens.length; k++) {
    const start = differential(tokens, k, names)
    const atOperandStart = k === 0 || !OPERAND_END(tokens[k - 1]!)
    if (!start || !atOperandStart) {
      out.push(tokens[k]!)
      continue
    }
    const slash = findSlash(tokens, start.next, names)
    if (slash < 0) {
      out.push(tokens[k]!)
      continue
    }
    const below = differential(tokens, slash + 1, names)!
    // What it is taken with respect to runs to a top-level *, +, -, = or the group's end:
    // ∂f/∂s*∂s/∂a + ∂f/∂u*∂u/∂a. (∂L/∂(x*w + b) needs its parentheses in plain text.)
    let end = below.next
    let depth = 0
    while (end < tokens.length) {
      const t = tokens[end]!
      if (depth === 0 && (TERMINATOR.has(t) || ((t === '+' || t === '-') && (end > below.next || below.inline.length > 0)))) break
      if (t === '(') depth++
      if (t === ')' && --depth < 0) break
      end++
    }
    const of = [...start.inline, ...tokens.slice(start.next, slash)].join(' ')
    const wrt = [...below.inline, ...tokens.slice(below.next, end)].join(' ')
    out.push(`${DERIVATIVE_OPEN}${resolve(of, names)}${DERIVATIVE_SEPARATOR}${resolve(wrt, names)}${DERIVATIVE_CLOSE}`)
    k = end - 1
  }
  return out
}

/** A differential at token k: ∂, d, or dNAME (with NAME then part of what follows). */
function differential(tokens: string[], k: number, names: Names): { next: number; inline: string[] } | undefined {
  const t = tokens[k]
  if (t === undefined) return undefined
  if (t === '∂' || (t === 'd' && !names.known.has('d'))) return { next: k + 1, inline: [] }
  if (/^d[\p{L}_$]/u.test(t) && !names.known.has(t)) return { next: k + 1, inline: [t.slice(1)] }
  return undefined
}

/** The top-level / after a differential that is followed by another differential. */
function findSlash(tokens: string[], from: number, names: Names): number {
  let depth = 0
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k]!
    if (t === '(') depth++
    else if (t === ')') depth--
    else if (depth === 0 && t === '/' && differential(tokens, k + 1, names)) return k
    else if (depth === 0 && (t === '=' || t === '≈')) return -1
  }
  return -1
}

/** f'(x) and L' as d L / d x, in a program of one variable (or with x named in the parentheses). */
function markPrimes(tokens: string[], names: Names): string[] {
  const out: string[] = []
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k + 1] !== "'" || !/^[\p{L}_$]/u.test(tokens[k]!)) {
      out.push(tokens[k]!)
      continue
    }
    const inside = tokens[k + 2] === '(' && tokens[k + 4] === ')' ? tokens[k + 3] : undefined
    const fn = tokens[k] === 'σ' ? 'sigmoid' : tokens[k]!
    // σ'(z), tanh'(u): the function's own derivative at its argument, a local derivative.
    if (inside !== undefined && isFunctionName(fn, names) && /^[\p{L}_$]/u.test(inside)) {
      out.push(`${DERIVATIVE_OPEN}${fn}(${inside})${DERIVATIVE_SEPARATOR}${inside}${DERIVATIVE_CLOSE}`)
      k += 4
      continue
    }
    // f'(x) names its variable; f'(4) is at the point, of the program's one variable.
    const named = inside !== undefined && /^[\p{L}_$]/u.test(inside) ? inside : undefined
    const wrt = named ?? (names.variables.length === 1 ? names.variables[0] : undefined)
    if (wrt === undefined) throw new Unreadable(`${tokens[k]}' needs the variable it is taken with respect to, as in ${tokens[k]}'(x)`)
    const of = names.known.has(tokens[k]!) ? tokens[k]! : names.output
    out.push(`${DERIVATIVE_OPEN}${of}${DERIVATIVE_SEPARATOR}${wrt}${DERIVATIVE_CLOSE}`)
    k += inside !== undefined ? 4 : 1
  }
  return out
}
