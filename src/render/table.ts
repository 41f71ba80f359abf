// --format table, the default: the trace a student would work out by hand, section by section.
// Column widths follow the content only, never the terminal, so the output is the same bytes in a
// terminal, in a pipe and in a file (color aside).
import { Chalk, type ChalkInstance } from 'chalk'
import { formatNumber } from '../format.js'
import { printSym, type Sym } from '../sym.js'
import { CHAIN_LIMITS, type Trace, type TraceEdge } from '../trace.js'
import { CHECK_BUDGET, type Check } from '../check.js'
import type { RenderOptions } from './index.js'
import { boxLines } from './box.js'
import { CHUNK_LINES, backwardRows, expand, joined, statementNodes } from './shared.js'
import { factor, localDerivativeName, notation, sumText } from './text.js'

/** How many statements the header spells out before it summarizes. */
const HEADER_STATEMENTS = 12

export function renderTable(trace: Trace, options: RenderOptions): string {
  return joined(tableChunks(trace, options))
}

/**
 * The view in pieces of whole lines, for writing as it is made: the tables of a big program are
 * many megabytes, which then never sit in memory whole (see json.ts).
 */
export function* tableChunks(trace: Trace, options: RenderOptions): Generator<string> {
  let chunk = ''
  let count = 0
  for (const line of tableLines(trace, options)) {
    chunk += `${line}\n`
    if (++count === CHUNK_LINES) {
      yield chunk
      chunk = ''
      count = 0
    }
  }
  if (chunk) yield chunk
}

function* tableLines(trace: Trace, options: RenderOptions): Generator<string> {
  const n = notation(options)
  const c = options.chalk ?? new Chalk({ level: 0 })
  const sym = (s: Sym) => printSym(s, n.style)
  const outLabel = trace.nodes[trace.output]!.label
  const partial = (of: string, wrt: string) => `${n.d}${of}/${n.d}${wrt}`
  const label = (i: number) => trace.nodes[i]!.label
  const localName = (edge: TraceEdge) => localDerivativeName(trace, edge, n)
  const explain = function* (sentence: string) {
    if (options.explain) yield c.dim(`  ${sentence}`)
  }
  const heading = function* (text: string) {
    yield ''
    yield c.bold(text)
  }
  const wrt = options.wrt && options.wrt.length > 0 ? new Set(options.wrt) : undefined
  const flaggedEdges = new Set(trace.flags.filter((f) => f.edge !== undefined).map((f) => f.edge!))
  const flaggedNodes = new Set(trace.flags.filter((f) => f.pass === 'forward').map((f) => f.node))

  // Header: the program as parsed, with every operator's grouping shown.
  yield c.bold('Program') + c.dim(' (as parsed, parentheses show the grouping)')
  const statements = statementNodes(trace)
  for (const i of statements.slice(0, HEADER_STATEMENTS)) yield `  ${label(i)} = ${printSym(expand(trace, i), { ...n.style, allParens: true })}`
  if (statements.length > HEADER_STATEMENTS) yield `  … and ${statements.length - HEADER_STATEMENTS} more statements`
  if (statements.length === 0) yield `  ${outLabel}`
  const bound = Object.entries(trace.bindings)
  yield `${c.bold('Values')}    ${bound.length ? bound.map(([k, v]) => `${k} = ${formatNumber(v, options.precision)}`).join(', ') : 'none'}`
  yield `${c.bold('Symbolic')}  ${trace.unbound.length ? `${trace.unbound.join(', ')} (no value given, so they stay symbols)` : 'none'}`

  // 1. Forward pass.
  yield* heading('1. Forward pass: the value of every node, inputs first')
  yield* explain('Each node applies its operation to values computed above it, so every input is ready before it is used.')
  const forward = table(['node', 'op', 'expression', 'value'], options)
  trace.nodes.forEach((node, i) => {
    if (node.kind === 'constant') return
    const value = sym(node.value) + (flaggedNodes.has(i) ? ` ${c.yellow(n.warn)}` : '')
    forward.push([node.label, node.kind === 'variable' ? 'variable' : node.op!, node.expression ? sym(node.expression) : '', value])
  })
  yield* forward.lines()

  // 2. Local derivatives.
  yield* heading(`2. Local derivatives: ${n.step1} the gradient of each node with respect to each input`)
  yield* explain('A local derivative looks at one operation alone: how its output changes when one input changes, the others held fixed.')
  const localEdges = trace.edges.map((_, e) => e).filter((e) => trace.nodes[trace.edges[e]!.to]!.onPath)
  if (localEdges.length === 0) {
    yield '  none: the output does not depend on any variable'
  } else {
    const locals = table(['local derivative', 'rule', 'symbolic', 'value'], options)
    for (const e of localEdges) {
      const edge = trace.edges[e]!
      const mark = flaggedEdges.has(e) ? ` ${c.yellow(n.warn)}` : ''
      locals.push([localName(edge), edge.rule.name, sym(edge.local), sym(edge.localValue) + mark])
    }
    yield* locals.lines()
    if (options.explain) {
      const sentences = new Map<string, string[]>()
      for (const e of localEdges) {
        const edge = trace.edges[e]!
        sentences.set(edge.rule.explain, [...(sentences.get(edge.rule.explain) ?? []), `${localName(edge)} = ${sym(edge.local)}`])
      }
      for (const [sentence, names] of sentences) yield* explain(`${names.join(', ')}: ${sentence}`)
    }
  }

  // 3. Backward pass.
  yield* heading(`3. Backward pass: ${n.step2} multiply along the chain, from ${outLabel} back (upstream ${n.times} local = contribution)`)
  yield* explain(`The seed ${partial(outLabel, outLabel)} = 1: the output changes one-for-one with itself.`)
  yield* explain('Each row is the chain rule for one edge: the gradient arriving at a node (upstream) times that node\'s local derivative.')
  const backward = table(['gradient', `upstream ${n.times} local`, 'values', 'contribution'], options)
  backward.push([partial(outLabel, outLabel), 'seed', '', '1'])
  const fanOut: string[] = []
  for (const row of backwardRows(trace, wrt)) {
    if (row.kind === 'contribution') {
      const { edge, k, total } = row
      backward.push([
        partial(outLabel, label(edge.from)) + (total > 1 ? ` (${k} of ${total})` : ''),
        `${partial(outLabel, label(edge.to))} ${n.times} ${localName(edge)}`,
        `${factor(edge.upstream, n)} ${n.times} ${factor(edge.localValue, n)}`,
        sym(edge.contribution),
      ])
    } else {
      const target = trace.nodes[row.node]!
      const parts = target.contributions.map((x) => trace.edges[x]!.contribution)
      backward.push([partial(outLabel, target.label), `sum of ${row.total} contributions`, sumText(parts, n), sym(target.grad ?? 0)])
      fanOut.push(`${target.label} feeds ${row.total} inputs, so ${partial(outLabel, target.label)} adds up all ${row.total} contributions: every path the change can take counts.`)
    }
  }
  yield* backward.lines()
  for (const sentence of fanOut) yield* explain(sentence)

  // 4. Chains per variable.
  yield* heading(`4. Chains: the product of local derivatives along every path from ${outLabel} to each variable`)
  yield* explain('Multiplying the local derivatives along a path gives how a change travels along it; the gradient is the sum over all paths.')
  // gradients, chains and checks are all in variable order: one index reads all three.
  const selected = trace.gradients.flatMap((g, k) => (!wrt || wrt.has(g.name) ? [k] : []))
  for (const v of selected) {
    const chain = trace.chains[v]!
    const grad = partial(outLabel, chain.variable)
    const pad = ' '.repeat(grad.length + 1)
    if (chain.count === 0) {
      yield `  ${grad} = 0 (no path: ${outLabel} does not depend on ${chain.variable})`
    } else if (!chain.paths) {
      const count =
        chain.count === Infinity ? 'more than 1.8e+308' : chain.count > Number.MAX_SAFE_INTEGER ? `about ${formatNumber(chain.count, 3)}` : String(chain.count)
      yield `  ${grad}: ${count} paths, more than listed here (at most ${CHAIN_LIMITS.paths} paths and ${CHAIN_LIMITS.edges} edges); the backward pass above sums them without listing them`
    } else {
      for (const [k, path] of chain.paths.entries()) {
        const lead = chain.paths.length > 1 ? `  path ${k + 1}: ` : `  ${grad} = `
        yield `${lead}${path.edges.map((e) => localName(trace.edges[e]!)).join(` ${n.times} `)}`
        const indent = chain.paths.length > 1 ? ' '.repeat(lead.length - 2) : pad
        yield `  ${indent}= ${path.edges.map((e) => factor(trace.edges[e]!.localValue, n)).join(` ${n.times} `)}`
        yield `  ${indent}= ${sym(path.product)}`
      }
      if (chain.paths.length > 1) {
        yield `  ${grad} = sum over ${chain.paths.length} paths = ${sumText(chain.paths.map((p) => p.product), n)} = ${sym(trace.gradients[v]!.grad)}`
      }
    }
  }
  if (trace.chains.length === 0) yield '  none: the program has no variables'

  // 5. Gradients with their check.
  yield* heading('5. Gradients, checked against finite differences')
  yield* explain(`The check nudges one variable by ${n.plusMinus}h, reruns the forward pass and compares (f(x+h) - f(x-h))/2h with the gradient.`)
  if (selected.length === 0) {
    yield '  none: the program has no variables'
  } else {
    const grads = table(['variable', `${n.d}${outLabel}/${n.d}variable`, 'finite difference', 'check'], options)
    for (const v of selected) {
      const g = trace.gradients[v]!
      const check = trace.checks[v]
      grads.push([g.name, sym(g.grad), check?.estimate !== undefined ? formatNumber(check.estimate, options.precision) : '', checkCell(check, c)])
    }
    yield* grads.lines()
    // One line per distinct reason, naming the variables it applies to.
    const reasons = new Map<string, string[]>()
    for (const v of selected) {
      const check = trace.checks[v]!
      if (!check.reason) continue
      const names = reasons.get(check.reason)
      if (names) names.push(check.variable)
      else reasons.set(check.reason, [check.variable])
    }
    for (const [reason, names] of reasons) yield `  ${names.join(', ')}: ${reason}`
  }

  if (trace.flags.length > 0) {
    yield* heading('Warnings')
    for (const flag of trace.flags) yield c.yellow(`  ${n.warn} ${options.ascii ? flag.message.replace(/∂/g, 'd') : flag.message}`)
  }
  if (trace.notes.length > 0) {
    yield* heading('Notes')
    for (const note of trace.notes) yield `  ${note}`
  }
}

function checkCell(check: Check | undefined, c: ChalkInstance): string {
  switch (check?.status) {
    case 'agree':
      return c.green('agrees')
    case 'disagree':
      return c.red('DISAGREES')
    case 'inconclusive':
      return c.yellow('inconclusive')
    default:
      return check?.reason?.startsWith('past the check budget') ? `not checked (budget ${CHECK_BUDGET})` : 'not checked'
  }
}

/** Rows collected for one section's table, then its lines. */
function table(head: string[], options: RenderOptions) {
  const rows: string[][] = []
  return { push: (...more: string[][]) => void rows.push(...more), lines: () => boxLines(head, rows, options.ascii) }
}

