// The verdicts of check on a tensor program, in the terminal and as JSON.
import { escapeControls } from '../errors.js'
import { PLAIN, type Colors } from '../steps/colors.js'
import type { TensorTrace } from '../tensor/trace.js'
import type { TensorClaimResult } from '../tensor/claims.js'
import { toNested, type Tensor } from '../tensor/tensor.js'
import { TENSOR_WORDS as W, boundValues, namedByTutor, statementsOf, tensorVerdictLines } from '../steps/tensor-words.js'
import { claimsHeading } from '../steps/words.js'

export function renderTensorClaims(
  trace: TensorTrace,
  results: TensorClaimResult[],
  options: { precision: number; ascii: boolean; chalk?: Colors; atRandom?: { names: string[]; seed: number } },
): string {
  const c = options.chalk ?? PLAIN
  const text = (s: string) => (options.ascii ? W.ascii(s) : s)
  const verdicts = results.map((r) => tensorVerdictLines(trace, r, options.precision))
  // A name the tutor gave (t1) that the verdicts use is defined under the program, which is written with the program's own names.
  const used = new Set(verdicts.flat().flatMap((line) => line.match(/(?<![\p{L}\p{N}_$#])[\p{L}_$][\p{L}\p{N}_$#]*/gu) ?? []))
  const where = namedByTutor(trace)
    .filter((n) => used.has(n.label))
    .map((n) => `${n.label} = ${n.expression}`)
  const lines = [
    c.bold(text(W.programTitle(trace))),
    ...statementsOf(trace).map((s) => text(`  ${s}`)),
    text(`${c.bold(W.valuesTitle)}   ${boundValues(trace).join(', ')}`),
    ...(options.atRandom ? [text(W.atRandom(options.atRandom.names, options.atRandom.seed))] : []),
    ...(where.length ? [text(`${c.bold('Where')}    ${where.join(', ')}`)] : []),
    '',
    c.bold(claimsHeading(results.filter((r) => r.right).length, results.length)),
  ]
  results.forEach((r, k) => {
    const mark = r.right ? c.green(options.ascii ? 'ok' : '✓') : c.red(options.ascii ? 'x ' : '✗')
    lines.push('', `${mark} ${k + 1}. ${text(escapeControls(r.text))}`)
    for (const line of verdicts[k]!) lines.push(`     ${text(line)}`)
  })
  return `${lines.join('\n')}\n`
}

const nested = (t: Tensor) => JSON.parse(JSON.stringify(toNested(t), (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))) as unknown

export function renderTensorClaimsJson(trace: TensorTrace, results: TensorClaimResult[], options: { precision: number }): string {
  const label = (i: number) => trace.nodes[i]!.label
  // The nodes the tutor named (t1 = W·x), which the explanations may use, as the terminal's Where line defines them.
  const where = Object.fromEntries(namedByTutor(trace).map((n) => [n.label, n.expression!]))
  const body = {
    right: results.filter((r) => r.right).length,
    total: results.length,
    where,
    claims: results.map((r) => {
      const explanation = tensorVerdictLines(trace, r, options.precision)
      if (r.unfit) return { claim: r.text, kind: 'unfit', wrt: label(r.unfit.node), right: false, explanation }
      if (!r.claim) return { claim: r.text, kind: 'unreadable', right: false, explanation }
      const d = r.diagnosis
      const diagnosis =
        d === undefined
          ? undefined
          : d.kind === 'unsummed' || d.kind === 'follows'
            ? { kind: d.kind, node: label(d.from) }
            : d.kind === 'one-contribution'
              ? { kind: d.kind, via: label(d.via), count: d.count }
              : d.kind === 'missing'
                ? { kind: d.kind, leftOut: d.left.map(label), count: d.count, of: d.of, ...(d.equal ? { equal: true } : {}) }
                : d.kind === 'unflipped'
                  ? { kind: d.kind, via: label(d.via), ...(d.alsoSign ? { alsoSign: true } : {}) }
                  : d.kind === 'entries'
                    ? { kind: d.kind, wrong: d.wrong.map((index) => index.map((i) => i + 1)), of: d.of }
                    : d
      return {
        claim: r.text,
        wrt: label(r.claim.node),
        ...(r.claim.index ? { index: r.claim.index.map((i) => i + 1) } : {}),
        claimed: r.claim.undefined ? 'undefined' : nested(r.claim.claimed),
        value: nested(r.truth!),
        right: r.right,
        ...(diagnosis ? { diagnosis } : {}),
        explanation,
      }
    }),
  }
  return `${JSON.stringify(body, null, 2)}\n`
}
