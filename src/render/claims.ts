// The verdicts of `check`, in the terminal and as JSON: each claim right or wrong, and for a wrong
// one the step to look at. The sentences come from src/steps/words.ts.
import { escapeControls } from '../errors.js'
import { PLAIN, type Colors } from '../steps/colors.js'
import { formatNumber } from '../format.js'
import type { ClaimResult } from '../modes/claims.js'
import { printSym } from '../sym.js'
import type { Trace } from '../trace.js'
import { statementNodes, expand } from '../steps/lesson.js'
import { TITLES, claimMeaning, claimsHeading, verdictLines } from '../steps/words.js'
import { jsonSym } from './json.js'
import { notation } from '../steps/text.js'

export interface ClaimsOptions {
  precision: number
  ascii: boolean
  chalk?: Colors
}

export function renderClaims(trace: Trace, results: ClaimResult[], options: ClaimsOptions): string {
  const n = notation(options)
  const c = options.chalk ?? PLAIN
  const lines = claimsHeader(trace, options)
  lines.push('', c.bold(claimsHeading(results.filter((r) => r.right).length, results.length)))
  results.forEach((r, k) => {
    const mark = r.right ? c.green(options.ascii ? 'ok' : '✓') : c.red(options.ascii ? 'x ' : '✗')
    lines.push('', `${mark} ${k + 1}. ${escapeControls(r.text)}`)
    for (const line of verdictLines(trace, results, k)) lines.push(`     ${n.print(line)}`)
  })
  return `${lines.join('\n')}\n`
}

/** What every verdict of check is read against: the program, its values, and what the tool's names (t1) stand for. */
export function claimsHeader(trace: Trace, options: ClaimsOptions): string[] {
  const n = notation(options)
  const c = options.chalk ?? PLAIN
  const lines = [c.bold(TITLES.program)]
  for (const i of statementNodes(trace)) lines.push(`  ${trace.nodes[i]!.label} = ${printSym(expand(trace, i), { ...n.style, allParens: true })}`)
  const bound = Object.entries(trace.bindings).map(([k, v]) => `${k} = ${formatNumber(v, options.precision)}`)
  lines.push(`${c.bold(TITLES.values)}   ${bound.join(', ') || TITLES.none}`)
  // The verdicts name the program's unnamed nodes as the trace does (t1, t2): say what each is.
  const where = [unnamedNodes(trace, options.ascii), repeatedUses(trace, options.ascii)].filter((w) => w !== undefined).join('; ')
  if (where) lines.push(`${c.bold(TITLES.where)}    ${where}`)
  return lines
}

/** "x[1], x[2] are the two uses of x in x·x": the marks a verdict writes for an input an operation takes twice. */
function repeatedUses(trace: Trace, ascii: boolean): string | undefined {
  const style = notation({ ascii, precision: 6 }).style
  const node = trace.nodes.find((n) => n.kind === 'op' && n.onPath && new Set(n.inputs).size < n.inputs.length)
  if (!node) return undefined
  const input = node.inputs.find((j, k) => node.inputs.indexOf(j) !== k)!
  const label = trace.nodes[input]!.label
  const uses = node.inputs.filter((j) => j === input).length
  const marks = Array.from({ length: uses }, (_, k) => `${label}[${k + 1}]`).join(', ')
  return `${marks} are the ${uses === 2 ? 'two' : uses} uses of ${label} in ${printSym(node.expression!, style)}`
}

/** "t1 = x·w, t2 = yhat - y": the nodes the verdicts name that the program does not (up to 12). */
/** The nodes the tutor named (t1, t2), which verdicts may use: no assignment, not the output, not a copy. */
const namedByTutor = (trace: Trace) => trace.nodes.filter((node, i) => node.kind === 'op' && node.op !== 'identity' && !node.assigned && i !== trace.output)

export function unnamedNodes(trace: Trace, ascii = false): string | undefined {
  const style = notation({ ascii, precision: 6 }).style
  const unnamed = namedByTutor(trace)
  if (unnamed.length === 0 || unnamed.length > 12) return undefined
  return unnamed.map((node) => `${node.label} = ${printSym(node.expression!, style)}`).join(', ')
}

/** The same verdicts for tools: the judgement as data (`diagnosis`), and as the sentences the terminal shows (`explanation`). */
export function renderClaimsJson(trace: Trace, results: ClaimResult[], options: { precision: number }): string {
  const label = (i: number) => trace.nodes[i]!.label
  const n = notation({ ascii: false, precision: options.precision })
  // The nodes the tutor named (t1 = x·w), as the terminal's Where line defines them for the explanations.
  const style = notation({ ascii: false, precision: 6 }).style
  const where = Object.fromEntries(namedByTutor(trace).map((node) => [node.label, printSym(node.expression!, style)]))
  const body = {
    right: results.filter((r) => r.right).length,
    total: results.length,
    where,
    claims: results.map((r, k) => {
      const explanation = verdictLines(trace, results, k).map(n.print)
      if (r.kind === 'unreadable') return { claim: r.text, kind: r.kind, right: false, explanation }
      return {
        claim: r.text,
        of: label(r.of),
        wrt: label(r.wrt),
        kind: r.kind,
        meaning: n.print(claimMeaning(trace, r)),
        claimed: r.undefined ? 'undefined' : jsonSym(r.claimed),
        value: jsonSym(r.truth),
        right: r.right,
        ...(r.diagnosis ? { diagnosis: diagnosisJson(trace, r, label) } : {}),
        explanation,
      }
    }),
  }
  return `${JSON.stringify(body, null, 2)}\n`
}

function diagnosisJson(trace: Trace, r: ClaimResult, label: (i: number) => string): Record<string, unknown> {
  const d = r.diagnosis!
  const base: Record<string, unknown> = { kind: d.kind }
  if (d.kind === 'inherited') Object.assign(base, { from: label(d.from), follows: d.follows })
  if (d.kind === 'explained' || d.kind === 'unmultiplied') Object.assign(base, { fromClaim: d.from + 1, factorClaim: d.factor + 1 })
  if (d.kind === 'unmultiplied' && d.below) base.belowClaims = d.below.map((i) => i + 1)
  if (d.kind === 'unmultiplied' && d.instead) base.instead = d.instead
  if (d.kind === 'upside-down') base.reverse = jsonSym(d.reverse)
  if (d.kind === 'partial') base.independent = d.independent
  if (d.kind === 'formula')
    base.at = { point: Object.fromEntries([...d.slip.at, ...d.slip.derived]), yours: jsonSym(d.slip.yours), truth: jsonSym(d.slip.truth) }
  // Edges by the nodes they join: the JSON of `check` carries no edge list to index into.
  if (d.kind === 'step' && d.missing) base.missingThrough = d.missing.map((e) => label(trace.edges[e]!.to))
  if (d.kind === 'step' && d.missingCount) base.missingCount = d.missingCount
  if (d.kind === 'contradicts') base.rightClaim = d.from + 1
  if (d.kind === 'step' && d.above) base.unclaimedAbove = d.above.map(label)
  if (d.kind === 'step' && d.claimed !== undefined) base.claimedAbove = label(d.claimed)
  if (d.kind === 'step' && d.slip) {
    const edge = trace.edges[d.slip.edge]!
    base.slip = { kind: d.slip.kind, of: label(edge.to), wrt: label(edge.from) }
  }
  if (d.kind === 'step' && d.signFlipped) base.signFlipped = true
  if (r.localInstead !== undefined) {
    const edge = trace.edges[r.localInstead]!
    base.localInstead = { of: label(edge.to), wrt: label(edge.from) }
  }
  return base
}
