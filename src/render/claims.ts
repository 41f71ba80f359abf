// The verdicts of `check`: each claim right or wrong, and for a wrong one the step to look at.
import { Chalk, type ChalkInstance } from 'chalk'
import { formatNumber } from '../format.js'
import type { ClaimResult } from '../modes/claims.js'
import { printSym } from '../sym.js'
import type { Trace } from '../trace.js'
import { jsonSym } from './json.js'
import { statementNodes, expand } from './shared.js'
import { factor, localDerivativeName, notation, sumText } from './text.js'

export interface ClaimsOptions {
  precision: number
  ascii: boolean
  chalk?: ChalkInstance
}

export function renderClaims(trace: Trace, results: ClaimResult[], options: ClaimsOptions): string {
  const n = notation(options)
  const c = options.chalk ?? new Chalk({ level: 0 })
  const num = (x: number) => formatNumber(x, options.precision)
  const label = (i: number) => trace.nodes[i]!.label
  const out = label(trace.output)
  const d = (of: number, wrt: number) => `${n.d}${label(of)}/${n.d}${label(wrt)}`
  const grad = (i: number) => trace.nodes[i]!.grad as number
  const lines: string[] = []
  lines.push(c.bold('Program'))
  for (const i of statementNodes(trace)) lines.push(`  ${label(i)} = ${printSym(expand(trace, i), { ...n.style, allParens: true })}`)
  lines.push(`${c.bold('Values')}   ${Object.entries(trace.bindings).map(([k, v]) => `${k} = ${num(v)}`).join(', ') || 'none'}`)
  lines.push('', c.bold(`Claims: ${results.filter((r) => r.right).length} of ${results.length} right`))
  const claimNumber = new Map<number, number>()
  results.forEach((r, k) => r.kind === 'gradient' && claimNumber.set(r.wrt, k + 1))

  results.forEach((r, k) => {
    const mark = r.right ? c.green(options.ascii ? 'ok' : '✓') : c.red(options.ascii ? 'x ' : '✗')
    lines.push('', `${mark} ${k + 1}. ${r.text}`)
    const meaning = `${d(r.of, r.wrt)}`
    const say = (text: string) => lines.push(`     ${text}`)
    if (r.right) {
      say(`${meaning} = ${num(r.truth)}: right`)
      return
    }
    say(`${meaning} is ${num(r.truth)}, not ${num(r.claimed)}`)
    const diagnosis = r.diagnosis!
    const stepText = (edges: number[]) => {
      const terms = edges.map((e) => `${d(trace.output, trace.edges[e]!.to)} ${n.times} ${localDerivativeName(trace, trace.edges[e]!, n)}`)
      const values = edges.map((e) => `${factor(trace.edges[e]!.upstream, n)} ${n.times} ${factor(trace.edges[e]!.localValue, n)}`)
      return `${d(trace.output, r.wrt)} = ${terms.join(' + ')} = ${values.join(' + ')} = ${num(r.truth)}`
    }
    switch (diagnosis.kind) {
      case 'seed':
        say(`The seed: the backward pass starts at ${d(trace.output, trace.output)} = 1, because the output changes one-for-one with itself; every gradient below is a multiple of it.`)
        break
      case 'inherited': {
        const from = claimNumber.get(diagnosis.from)
        const theirs = results[from! - 1]!.claimed
        const where = `${d(trace.output, diagnosis.from)} (claim ${from}), which should be ${num(results[from! - 1]!.truth)}`
        if (diagnosis.follows) {
          say(`First departure: ${where}. Your steps after it are right: ${factor(theirs, n)} ${n.times} ${d(diagnosis.from, r.wrt)} = ${factor(theirs, n)} ${n.times} ${factor(diagnosis.factor, n)} = ${num(r.claimed)}.`)
        } else {
          say(`First departure: ${where}. Even from your ${num(theirs)} there, ${factor(theirs, n)} ${n.times} ${d(diagnosis.from, r.wrt)} = ${factor(theirs, n)} ${n.times} ${factor(diagnosis.factor, n)} = ${num(theirs * diagnosis.factor)}, so there is a second slip between them.`)
        }
        break
      }
      case 'step': {
        if (diagnosis.above) {
          const shown = diagnosis.above.slice(0, 8).map((i) => `${d(trace.output, i)} = ${num(grad(i))}`)
          say(`None of your claims gives a gradient between ${out} and ${label(r.wrt)}, so compare your steps with the true ones, from ${out} down: ${shown.join(', ')}${diagnosis.above.length > 8 ? ', …' : ''}; then ${stepText(diagnosis.edges)}.`)
          if (diagnosis.slip) {
            const edge = trace.edges[diagnosis.slip.edge]!
            const name = localDerivativeName(trace, edge, n)
            const right = `${printSym(edge.local, n.style)} = ${num(edge.localValue as number)}`
            const how = {
              sign: `${name} with its sign flipped`,
              'left-out': `${name} left out of the product`,
              'value-for-derivative': `the value of ${label(edge.to)} (${num(trace.nodes[edge.to]!.value as number)}) written for its derivative ${name}`,
            }[diagnosis.slip.kind]
            say(`Your number is exactly what ${how} gives: the first step to check is ${name} = ${right} (${edge.rule.name} rule).`)
          } else if (r.truth !== 0 && Math.abs(r.claimed + r.truth) <= Math.abs(r.claimed - r.truth) / 100) {
            say('Your number has the right size and the wrong sign: check the sign of each local derivative (a subtracted term has -1, and a negative upstream changes the sign of everything below it).')
          }
          break
        }
        say(`First departure: this step. ${stepText(diagnosis.edges)}`)
        if (diagnosis.missing) {
          const consumers = diagnosis.edges.map((e) => label(trace.edges[e]!.to))
          const missing = diagnosis.missing.map((e) => `${d(trace.output, trace.edges[e]!.to)} ${n.times} ${localDerivativeName(trace, trace.edges[e]!, n)}`)
          say(`Your number leaves out ${missing.join(' and ')}: ${label(r.wrt)} feeds ${consumers.join(', ')}, so its gradient sums all ${diagnosis.edges.length} contributions (${sumText(diagnosis.edges.map((e) => trace.edges[e]!.contribution), n)}).`)
        } else if (diagnosis.edges.length === 1) {
          const edge = trace.edges[diagnosis.edges[0]!]!
          const upstream = edge.upstream as number
          if (upstream !== 0) {
            say(`Your number means ${localDerivativeName(trace, edge, n)} = ${num(r.claimed)} / ${factor(upstream, n)} = ${num(r.claimed / upstream)}, but ${localDerivativeName(trace, edge, n)} = ${printSym(edge.local, n.style)} = ${num(edge.localValue as number)} (${edge.rule.name} rule).`)
          }
        }
        break
      }
      case 'local': {
        const parts = diagnosis.edges.map((e) => trace.edges[e]!)
        const rule = parts[0]!.rule.name
        const symbolic = parts.map((edge) => printSym(edge.local, n.style)).join(' + ')
        say(`${meaning} = ${symbolic} (${rule} rule${parts.length > 1 ? `, ${label(r.wrt)} is used ${parts.length} times, so the local derivatives add` : ''}) = ${num(r.truth)}.`)
        break
      }
      case 'partial':
        say(`${meaning} multiplies the local derivatives along every path from ${label(r.of)} down to ${label(r.wrt)}, and adds the paths.`)
        break
    }
    if (r.localInstead !== undefined) {
      const edge = trace.edges[r.localInstead]!
      say(`${num(r.claimed)} is the local derivative ${localDerivativeName(trace, edge, n)}, not ${meaning}: multiply it by the upstream ${d(trace.output, edge.to)} = ${num(edge.upstream as number)} (${n.step2} multiply along the chain).`)
    }
  })
  return `${lines.join('\n')}\n`
}

export function renderClaimsJson(trace: Trace, results: ClaimResult[]): string {
  const label = (i: number) => trace.nodes[i]!.label
  const body = {
    right: results.filter((r) => r.right).length,
    total: results.length,
    claims: results.map((r) => ({
      claim: r.text,
      of: label(r.of),
      wrt: label(r.wrt),
      kind: r.kind,
      claimed: jsonSym(r.claimed),
      value: jsonSym(r.truth),
      right: r.right,
      ...(r.diagnosis ? { diagnosis: diagnosisJson(trace, r, label) } : {}),
    })),
  }
  return `${JSON.stringify(body, null, 2)}\n`
}

function diagnosisJson(trace: Trace, r: ClaimResult, label: (i: number) => string): Record<string, unknown> {
  const d = r.diagnosis!
  const base: Record<string, unknown> = { kind: d.kind }
  if (d.kind === 'inherited') Object.assign(base, { from: label(d.from), follows: d.follows })
  // Edges by the nodes they join: the JSON of `check` carries no edge list to index into.
  if (d.kind === 'step' && d.missing) base.missingThrough = d.missing.map((e) => label(trace.edges[e]!.to))
  if (d.kind === 'step' && d.above) base.unclaimedAbove = d.above.map(label)
  if (d.kind === 'step' && d.slip) {
    const edge = trace.edges[d.slip.edge]!
    base.slip = { kind: d.slip.kind, of: label(edge.to), wrt: label(edge.from) }
  }
  if (r.localInstead !== undefined) {
    const edge = trace.edges[r.localInstead]!
    base.localInstead = { of: label(edge.to), wrt: label(edge.from) }
  }
  return base
}
