// A written trace judged with check's own judge: each claim right, wrong where the slip was first
// made, consistent when it follows from an earlier slip, or unreadable; a chain of derivatives on
// the right (∂loss/∂t · ∂t/∂x) judged as the chain rule, factor by factor.
import { InputError } from '../../errors.js'
import type { Trace } from '../../trace.js'
import type { Elsewhere } from '../formula.js'
import { agrees, chainedClaim, checkClaims, derivativeClaim, factorName, parseClaim, type Claim, type ClaimResult } from '../claims.js'
import { indexNodes, type NodeIndex } from '../refer.js'
import { DERIVATIVE_MARK } from './latex.js'
import type { Names, WrittenClaim } from './read.js'

export type Verdict = 'right' | 'wrong' | 'consistent' | 'unreadable'

export interface WrittenVerdict {
  verdict: Verdict
  /** The line where this slip was first made: wrong, and neither a consequence nor a repeat of an earlier slip. */
  firstSlip: boolean
  /** An earlier claim this one repeats, slip and all. */
  repeats?: number
}

/** What names mean in the program, for reading the student's: nodes, variables, functions. */
export function namesOf(trace: Trace, functions: Iterable<string>): Names {
  const known = new Set<string>()
  for (const node of trace.nodes) {
    if (node.kind === 'constant') continue
    known.add(node.label)
    if (node.assigned) known.add(node.assigned)
  }
  const variables = trace.nodes.filter((n) => n.kind === 'variable').map((n) => n.label)
  return { known, functions: new Set(functions), variables, output: trace.nodes[trace.output]!.label }
}

export function checkWritten(
  trace: Trace,
  written: WrittenClaim[],
  tolerance: number,
  elsewhere?: Elsewhere,
): { results: ClaimResult[]; verdicts: WrittenVerdict[] } {
  const index = indexNodes(trace)
  const claims = written.map((w) => claimOf(trace, index, w))
  const results = checkClaims(trace, claims, tolerance, elsewhere)
  const verdicts = results.map((r, k): WrittenVerdict => {
    if (r.kind === 'unreadable') return { verdict: 'unreadable', firstSlip: false }
    if (r.right) return { verdict: 'right', firstSlip: false }
    const d = r.diagnosis
    if ((d?.kind === 'inherited' && d.follows) || d?.kind === 'explained' || d?.kind === 'chained') return { verdict: 'consistent', firstSlip: false }
    const repeats = results.findIndex(
      (e, j) => j < k && !e.right && e.kind === r.kind && e.of === r.of && e.wrt === r.wrt && agrees(r.claimed, e.claimed, tolerance),
    )
    return repeats >= 0 ? { verdict: 'wrong', firstSlip: false, repeats } : { verdict: 'wrong', firstSlip: true }
  })
  return { results, verdicts }
}

const unreadable = (text: string, why: string): Claim => ({ text, of: -1, wrt: -1, claimed: NaN, unreadable: why })
const why = (error: InputError) => error.message.replace(/^claim ".*?": /s, '')

function claimOf(trace: Trace, index: NodeIndex, w: WrittenClaim): Claim {
  if (w.unreadable !== undefined) return unreadable(w.text, w.unreadable)
  try {
    if (!w.factors) {
      const claim = { ...parseClaim(trace, w.reads!, index), text: w.text }
      // -0.25·x: a formula with the numbers of the trace put in (an upstream's value) is judged
      // as the number it gives; only a formula of names and whole numbers is judged as a formula.
      if (claim.formula !== undefined && /\d\.\d/.test(claim.formula)) delete claim.formula
      return claim
    }
    return chainClaim(trace, index, w)
  } catch (error) {
    if (error instanceof InputError) return unreadable(w.text, why(error))
    throw error
  }
}

/** ∂L/∂n = ∂L/∂m · ∂m/∂n, as written: each factor at its true value (chainClaim in claims.ts). */
function chainClaim(trace: Trace, index: NodeIndex, w: WrittenClaim): Claim {
  let k = 0
  const value = w.value!.replace(new RegExp(DERIVATIVE_MARK, 'g'), () => factorName(k++))
  const lhs = parseClaim(trace, derivativeClaim(w.lhs!), index)
  return chainedClaim(trace, index, lhs, w.text, value, w.factors!)
}
