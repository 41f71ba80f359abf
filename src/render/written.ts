// A written trace's verdicts: in the terminal (each claim with its line, ✓ ✗ ≈ ?, and why), as
// JSON, and as the student's own file with a note after each claim line (--annotate).
import { escapeControls, excerpt } from '../errors.js'
import { PLAIN, type Colors } from '../steps/colors.js'
import type { ClaimResult } from '../modes/claims.js'
import type { Syntax, WrittenClaim } from '../modes/written/read.js'
import type { WrittenVerdict } from '../modes/written/judge.js'
import type { Trace } from '../trace.js'
import { TITLES, verdictLines, writtenHeading, WRITTEN } from '../steps/words.js'
import { notation } from '../steps/text.js'
import { claimsHeader, unnamedNodes } from './claims.js'

export interface Written {
  path: string
  syntax: Syntax
  claims: WrittenClaim[]
  results: ClaimResult[]
  verdicts: WrittenVerdict[]
}

export interface WrittenOptions {
  precision: number
  ascii: boolean
  chalk?: Colors
}

/** The reasons as one line: each a sentence of its own. */
const oneLine = (lines: string[]) => lines.map((l) => (/[.:!?]$/.test(l) ? l : `${l}.`)).join(' ')

/** Verdicts point at other claims by the line they were written on. */
const lineOf = (w: Written) => (k: number) => `line ${w.claims[k]!.line}`

/** Each claim's reasons, as one line of text. */
function reasons(trace: Trace, w: Written, k: number, options: { ascii: boolean; precision: number }): string[] {
  const n = notation(options)
  const lines = verdictLines(trace, w.results, k, lineOf(w)).map((line) => n.print(line))
  const repeats = w.verdicts[k]!.repeats
  return repeats === undefined ? lines : [`${WRITTEN.repeats(w.claims[repeats]!.line, w.claims[k]!.line)} ${lines[0]}`, ...lines.slice(1)]
}

const MARKS = { right: ['✓', 'ok'], wrong: ['✗', 'x '], consistent: ['≈', '~ '], unreadable: ['?', '? '] } as const

export function renderWritten(trace: Trace, w: Written, options: WrittenOptions): string {
  const c = options.chalk ?? PLAIN
  const lines = claimsHeader(trace, options)
  lines.push(`${c.bold(WRITTEN.traceTitle)}    ${escapeControls(w.path)} (${w.syntax})`)
  lines.push('', c.bold(writtenHeading(w.verdicts.map((v) => v.verdict))))
  const color = { right: c.green, wrong: c.red, consistent: c.yellow, unreadable: c.red }
  w.claims.forEach((claim, k) => {
    const { verdict, firstSlip } = w.verdicts[k]!
    const mark = color[verdict](MARKS[verdict][options.ascii ? 1 : 0])
    lines.push('', `${mark} line ${claim.line}: ${excerpt(claim.text, 400)}`)
    if (claim.reads) lines.push(`     ${WRITTEN.readsAs} ${escapeControls(claim.reads)}${firstSlip ? `  (${WRITTEN.firstSlip})` : ''}`)
    for (const line of reasons(trace, w, k, options)) lines.push(`     ${line}`)
  })
  return `${lines.join('\n')}\n`
}

/** The JSON contract: one entry per claim (a chain's steps each their own), in the order written. */
export function renderWrittenJson(trace: Trace, w: Written, options: { precision: number }): string {
  const claims = w.claims.map((claim, k) => ({
    line: claim.line,
    text: claim.text,
    reads: claim.reads ?? null,
    verdict: w.verdicts[k]!.verdict,
    first_slip: w.verdicts[k]!.firstSlip,
    why: oneLine(reasons(trace, w, k, { ascii: false, precision: options.precision })),
  }))
  return `${JSON.stringify({ claims }, null, 2)}\n`
}

/**
 * Ends a Markdown quote of notes before a line of the student's text: an empty quote line, so the
 * text after it is not pulled into the quote (lazy continuation). It renders as nothing.
 */
export const MARKDOWN_CLOSER = '>'

/**
 * How a note is written in each syntax, on a line of its own: a comment in LaTeX and plain text, a
 * quote in Markdown (which shows, and so splits a paragraph or table the claim line was in).
 */
const NOTE: Record<Syntax, (text: string) => string> = {
  markdown: (text) => `> - **backprop-tutor:** ${text}`,
  latex: (text) => `% backprop-tutor: ${text}`,
  plain: (text) => `# backprop-tutor: ${text}`,
}

/**
 * The student's file with a note after each claim line: the notes are whole lines inserted after
 * the line a claim's maths block ends on, so removing them gives back the file byte for byte.
 */
export function annotate(source: string, trace: Trace, w: Written, options: { precision: number }): string {
  // The file's own line ending, from its first line: CRLF, LF, or (old Macs) CR.
  const eol = /\r\n|\n|\r/.exec(source)?.[0] ?? '\n'
  const notes = new Map<number, string[]>()
  const lines = source.split(/\r\n|\n|\r/)
  // A note inside a Markdown table would end it: a claim in a row is noted after the table's last row.
  const after = (end: number) => {
    if (w.syntax !== 'markdown') return end
    while (/^\s*\|/.test(lines[end - 1] ?? '') && /^\s*\|/.test(lines[end] ?? '')) end++
    return end
  }
  // The notes name the program's unnamed nodes as the trace does: the first says what they are.
  const where = unnamedNodes(trace)
  if (where && w.claims.length > 0) notes.set(after(w.claims[0]!.end), [NOTE[w.syntax](`${TITLES.where}: ${where}`)])
  w.claims.forEach((claim, k) => {
    const { verdict } = w.verdicts[k]!
    const text = `${MARKS[verdict][0]} line ${claim.line}, ${claim.reads ?? claim.text}: ${oneLine(reasons(trace, w, k, { ascii: false, precision: options.precision }))}`
    const list = notes.get(after(claim.end)) ?? []
    list.push(NOTE[w.syntax](escapeControls(text)))
    notes.set(after(claim.end), list)
  })
  // Split keeping each line's own ending, so CRLF, CR and a missing final newline all survive.
  const pieces = source.match(/[^\r\n]*(\r\n|\n|\r|$)/g)!.slice(0, -1)
  return pieces
    .map((piece, k) => {
      const added = notes.get(k + 1)
      if (!added) return piece
      const ending = /(\r\n|\n|\r)$/.exec(piece)?.[0]
      const body = ending ? piece.slice(0, -ending.length) : piece
      // In Markdown a line of text right after a quote would join it (lazy continuation): an empty
      // quote line closes the notes, and is one of them (a blank line would look like the file's own).
      const closer = w.syntax === 'markdown' && (pieces[k + 1] ?? '').trim() !== '' ? `${eol}${MARKDOWN_CLOSER}` : ''
      return `${body}${added.map((note) => `${eol}${note}`).join('')}${closer}${ending ?? ''}`
    })
    .join('')
}
