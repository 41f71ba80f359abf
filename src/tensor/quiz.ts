// quiz on a tensor program: the shape of each operation's value, then for each edge of the backward
// pass the shape of the gradient (asked first: it is where students get lost) and the rule, typed
// with g for the upstream gradient (g*x', W'*g, sum(g, 1)). A rule is judged as a formula: right at
// the traced values and at two other points where the operands and g have moved.
import { PLAIN, type Colors } from '../steps/colors.js'
import { InputError } from '../errors.js'
import { agrees, valueIn } from './claims.js'
import type { TensorEdge, TensorTrace } from './trace.js'
import type { TensorNode } from './graph.js'
import { TENSOR_OPS } from './ops.js'
import { mulberry32 } from '../random.js'
import { nudged } from './random.js'
import { indexOf, sameShape, shapeText, shapeWords, tensor, transposeOf, type Shape, type Tensor } from './tensor.js'
import { entryChain } from './entry.js'
import { formatNumber } from '../format.js'
import { TENSOR_QUIZ as Q, entryLines, equalsValue, plainFormula, tensorFlagText, upstreamTimesRule } from '../steps/tensor-words.js'
import { QUIZ } from '../steps/words.js'
import { conventionsByEntry, type TensorFlag } from './flags.js'
import { valueText } from '../steps/values.js'
import { UNDEFINED_ANSWER, finish, nextAnswer, type QuizIo, type Score } from '../modes/quiz.js'

export type TensorQuestion =
  | { kind: 'shape'; section: 'forward'; node: number; ask: string; shape: Shape; hints: [string, string]; reveal: string }
  | { kind: 'shape'; section: 'backward'; edge: TensorEdge; ask: string; context: string; shape: Shape; hints: [string, string]; reveal: string }
  /** `kink`: the convention the rule takes at some entries, said when the student answers "undefined". */
  | { kind: 'rule'; section: 'backward'; ask: string; context: string; edge: TensorEdge; hints: [string, string]; reveal: string; kink?: string }
  /** One entry of a variable's gradient as a number: the chain rule inside the matrix rule (the --entry view). `kink`: the conventions it rests on ("undefined" is then right too). */
  | { kind: 'entry'; section: 'entries'; node: number; ask: string; context: string; answer: number; hints: [string, string]; reveal: string; kink?: string }

/** The upstream gradient's name in a typed rule: g, unless the program names a node g (then gbar, …). */
export const upstreamName = (trace: TensorTrace): string =>
  ['g', 'gbar', 'g_up', 'upstream'].find((name) => !trace.nodes.some((n) => n.label === name)) ?? 'upstream'

/** The shape rule of a node's op, in words. */
function shapeRuleOf(node: TensorTrace['nodes'][number]): string {
  const rule = TENSOR_OPS[node.op!].shapeRule
  return typeof rule === 'string' ? rule : rule(node.params, node.inputs.length)
}

export function tensorQuestions(trace: TensorTrace, precision: number): TensorQuestion[] {
  const { nodes } = trace
  const g = upstreamName(trace)
  const out = nodes[trace.output]!.label
  const questions: TensorQuestion[] = []
  nodes.forEach((node, i) => {
    if (node.kind !== 'op') return
    const inputs = node.inputs.map((k) => `${nodes[k]!.label} is ${shapeWords(nodes[k]!.value!.shape)}`)
    questions.push({
      kind: 'shape',
      section: 'forward',
      node: i,
      ask: Q.valueShape(node.label, node.expression!),
      shape: node.value!.shape,
      hints: [shapeRuleOf(node), inputs.join(', ')],
      reveal: `${node.label} = ${node.expression} is ${shapeText(node.value!.shape)}`,
    })
  })
  // Where each operation's shape was asked: a gradient's shape is that, and the hint points there rather than saying it.
  const asked = new Map(questions.map((q, k) => [(q as { node: number }).node, k + 1]))
  for (const edge of trace.edges) {
    const input = nodes[edge.input]!
    const consumer = nodes[edge.consumer]!
    const grad = `∂${out}/∂${input.label}`
    const via = trace.edges.filter((e) => e.input === edge.input).length > 1 ? Q.via(consumer.label) : ''
    questions.push({
      kind: 'shape',
      section: 'backward',
      edge,
      ask: Q.gradShape(grad + via),
      context: `${consumer.label} = ${consumer.expression}`,
      shape: edge.contribution.shape,
      hints: [Q.gradShapeHint(input.label), Q.whereShape(input.label, asked.get(edge.input))],
      reveal: `${grad} is ${shapeText(edge.contribution.shape)}, shaped like ${input.label}`,
    })
    questions.push({
      kind: 'rule',
      section: 'backward',
      ask: `${grad}${via}`,
      context: Q.ruleContext(out, consumer.label, consumer.expression!, g),
      edge,
      hints: [`${edge.rule.name}: ${edge.rule.why}`, Q.ruleIngredients(usedNames(trace, edge), edge.shapes, g, copiedOver(trace, edge))],
      reveal: `${grad}${via} = ${equalsValue(plainFormula(upstreamTimesRule(trace, edge)), valueText(edge.contribution, { precision, ascii: false }).replace(/\n\s*/g, '; '))}${typedText(trace, edge, g)}`,
      ...kinkOf(
        trace,
        trace.flags.filter((f) => f.code === 'convention' && f.edge === edge),
      ),
    })
  }
  for (const g of trace.gradients) questions.push(entryQuestion(trace, g, precision))
  return questions
}

/** The entry question of a gradient: one entry's number, hinted by its scalar chain (the --entry view). */
function entryQuestion(trace: TensorTrace, g: TensorTrace['gradients'][number], precision: number): TensorQuestion {
  const out = trace.nodes[trace.output]!.label
  // An entry that rests on a convention (relu at 0: the one to ask), else the first the gradient reaches (a zero entry is a dull sum of nothing).
  const conventions = conventionsByEntry(trace, g.node)
  const kinked = conventions.findIndex((flags) => flags.length > 0)
  const at =
    kinked >= 0
      ? kinked
      : Math.max(
          0,
          g.grad.data.findIndex((x) => x !== 0),
        )
  const index = indexOf(g.grad.shape, at)
  const lines = entryLines(trace, entryChain(trace, g.node, index), precision).slice(1)
  const chain = lines.filter((line) => line.trimStart().startsWith('=') || line.trimStart().startsWith('∂'))
  const name = `∂${out}/∂${g.name}${index.length ? `[${index.map((i) => i + 1).join(', ')}]` : ''}`
  const rules = trace.edges.filter((e) => e.input === g.node).map((e) => plainFormula(upstreamTimesRule(trace, e)))
  return {
    kind: 'entry',
    section: 'entries',
    node: g.node,
    ask: name,
    context: Q.entryContext(rules.join(' + ')),
    answer: g.grad.data[at]!,
    hints: [chain[0]?.trim() ?? rules.join(' + '), chain[1]?.trim() ?? Q.entryFromRule(rules.join(' + '))],
    reveal: entryReveal(name, chain, formatNumber(g.grad.data[at]!, precision)),
    ...kinkOf(trace, conventions[at]!),
  }
}

/**
 * The worked answer of an entry question on one line. Through one path: the name, then each step
 * of its chain; through several, each path's chain (∂L/∂x[1] via t1 = …), then their sum, apart.
 */
function entryReveal(name: string, chain: string[], value: string): string {
  const lines = chain.map((line) => line.trim())
  if (lines.filter((line) => line.startsWith('∂')).length <= 1) return `${name} ${lines.slice(1).join(' ') || `= ${value}`}`
  return lines.reduce((text, line) => (text === '' ? line : line.startsWith('∂') ? `${text}; ${line}` : `${text} ${line}`), '')
}

/** Where a rule adds a broadcast input's copies back up (a bias's, over the batch's rows): the input and the axis; undefined elsewhere. */
function copiedOver(trace: TensorTrace, edge: TensorEdge): { input: string; over: string } | undefined {
  const over = /‹, summed over ([^›]+)›/.exec(edge.formula)?.[1]
  return over === undefined ? undefined : { input: trace.nodes[edge.input]!.label, over }
}

/** The program's names a rule is written with (the operands, the output), in order: the second hint gives them, not the rule. */
function usedNames(trace: TensorTrace, edge: TensorEdge): string[] {
  const consumer = trace.nodes[edge.consumer]!
  const formula = plainFormula(edge.formula)
  const labels = [...new Set([...consumer.inputs.map((k) => trace.nodes[k]!), consumer].filter((n) => n.kind !== 'constant').map((n) => n.label))]
  // The formula's names as whole words (h#3, a loop's step, is one name).
  // (ᵀ is a letter to Unicode, not part of a name: xᵀ uses x.)
  const words = new Set(formula.replace(/ᵀ/g, ' ').match(/(?<![\p{L}\p{N}_$#])[\p{L}_$][\p{L}\p{N}_$#]*/gu) ?? [])
  return labels.filter((label) => words.has(label))
}

const kinkOf = (trace: TensorTrace, flags: TensorFlag[]) => (flags.length ? { kink: flags.map((f) => tensorFlagText(trace, f)).join('; ') } : {})

/** "3x2", "3×2", "(3, 2)", "[3, 2]", "3 by 2", "3", "scalar" → a shape. */
export function readShape(text: string): Shape | undefined {
  const t = text.trim().toLowerCase()
  if (/^(scalar|\(\)|\[\]|1x1 scalar)$/.test(t)) return []
  const parts = t.replace(/^[([]|[)\]]$/g, '').split(/\s*(?:x|×|,|by|\*)\s*/)
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => /^\d+$/.test(p))) return undefined
  return parts.map(Number)
}

/** A typed rule's value: `g` names the upstream (upstreamName), other names are the nodes' values (or moved ones). */
const ruleValue = (text: string, trace: TensorTrace, values: Map<string, Tensor>, g: string) =>
  valueIn(trace, text.replace(/ḡ/g, g).replace(/ᵀ/g, "'"), values, `; write the upstream gradient as ${g}`)

/** The operands and the upstream, moved: each entry scaled and shifted by its own small random amount. */
function movedPoint(trace: TensorTrace, edge: TensorEdge, seed: number, name: string): { values: Map<string, Tensor>; truth: Tensor } {
  const next = mulberry32(seed)
  const move = (t: Tensor) => nudged(t, next)
  const consumer = trace.nodes[edge.consumer]!
  const values = new Map<string, Tensor>()
  const xs = consumer.inputs.map((i) => {
    const node = trace.nodes[i]!
    if (node.kind === 'constant') return node.value!
    const moved = values.get(node.label) ?? move(node.value!)
    values.set(node.label, moved)
    return moved
  })
  const g = move(trace.grads[edge.consumer]!)
  values.set(name, g)
  // The operation's own output at the moved operands (softmax's rule is written with it).
  const outValue = TENSOR_OPS[consumer.op!].forward(xs, consumer.params)
  values.set(consumer.label, outValue)
  const truth = TENSOR_OPS[consumer.op!].inputs(consumer.params)[edge.slot]!.vjp(g, xs, outValue, consumer.params)
  return { values, truth }
}

type Verdict = { right: true } | { right: false; why: string }

/**
 * The rule as a student types it, when the quiz would accept that text: the rule's formula in the
 * answer language (g*x'), or for a rule written in words a form that computes it (g for sum's
 * copy, conv1d(g, flip(k), 1, 2) for a convolution's input). Each is judged as an answer is, so
 * none is shown that the quiz would refuse.
 */
function typedRule(trace: TensorTrace, edge: TensorEdge, g: string): string | undefined {
  const candidates = [...formulaForms(trace, edge, g), ...shapeForms(trace, edge, g)]
  return candidates.find((text) => {
    try {
      return judge(trace, edge, text, 1e-9).right
    } catch (error) {
      if (error instanceof InputError) return false
      throw error
    }
  })
}

/** The rule's own formula in the answer language, plain and entry by entry, and the known forms of element-wise rules. */
function formulaForms(trace: TensorTrace, edge: TensorEdge, g: string): string[] {
  const consumer = trace.nodes[edge.consumer]!
  const candidates: string[] = []
  if (!edge.formula.includes('‹')) {
    candidates.push(
      edge.formula
        .replace(/ḡ/g, g)
        .replace(/ᵀ/g, "'")
        .replace(/\s*⊙\s*/g, ' .* ')
        .replace(/·/g, '*'),
    )
  }
  // An element-wise rule is all entry by entry: its products, quotients and powers in the dotted
  // operators (ḡ ⊙ 1/(2·sqrt(z)) as g .* 1 ./ (2 .* sqrt(z))), an indicator [z > 0] as (z > 0).
  if (consumer.op === 'elementwise' && !edge.formula.includes('‹')) {
    candidates.push(
      edge.formula
        .replace(/ḡ/g, g)
        .replace(/\[([^\]]+)\]/g, '($1)')
        .replace(/²/g, '.^2')
        .replace(/³/g, '.^3')
        .replace(/\s*[⊙·]\s*/g, ' .* ')
        .replace(/\s*\/\s*/g, ' ./ '),
    )
  }
  if (consumer.op === 'elementwise')
    candidates.push(
      ...knownForms(
        consumer.params.fn!,
        edge.slot,
        g,
        consumer.inputs.map((i) => operandText(trace.nodes[i]!)),
      ),
    )
  return candidates
}

/** Forms a rule written in words takes: max and min's split, a constant as written, a broadcast's sums, copies along an axis, softmax's, a convolution's. */
function shapeForms(trace: TensorTrace, edge: TensorEdge, g: string): string[] {
  const consumer = trace.nodes[edge.consumer]!
  const [a, b] = consumer.inputs.map((i) => trace.nodes[i]!)
  const candidates: string[] = []
  // max and min split ḡ among the entries that reach the extreme.
  if ((consumer.op === 'maxall' || consumer.op === 'minall') && a) {
    const [fn, reaches] = consumer.op === 'maxall' ? ['max', '>='] : ['min', '<=']
    const at = `(${a.label} ${reaches} ${fn}(${a.label}))`
    candidates.push(`${g} * ${at} / sum(${at.slice(1, -1)})`)
  }
  // A constant operand as the program wrote it (t2 / sqrt(2)): the rule prints its rounded value.
  const other = consumer.inputs.length === 2 ? trace.nodes[consumer.inputs[1 - edge.slot]!]! : undefined
  if (consumer.op === 'elementwise' && other?.kind === 'constant') {
    const written = other.expression ?? other.label
    const c = /^[\p{L}\p{N}_.]+(\([^()]*\))?$/u.test(written) ? written : `(${written})`
    if (consumer.params.fn === 'div' && edge.slot === 0) candidates.push(`${g} / ${c}`)
    if (consumer.params.fn === 'mul') candidates.push(`${g} * ${c}`, `${g} .* ${c}`)
  }
  // An input broadcast into an entry-by-entry operation: its gradient sums the copies back.
  if (consumer.op === 'elementwise') candidates.push(`sum(${g}, 1)`, `sum(${g}, 2)`, `sum(${g})`, `sum(${g}, 1)'`, `sum(${g}, 2)'`)
  // The same sums kept as a column or a row, as a textbook writes them: ḡ·1 for a column bias, 1ᵀ·ḡ for a row one.
  const outShape = consumer.value!.shape
  if (consumer.op === 'elementwise' && outShape.length === 2) candidates.push(`${g}*ones(${outShape[1]}, 1)`, `ones(1, ${outShape[0]})*${g}`)
  const n = consumer.inputs.length ? trace.nodes[edge.input]!.value!.data.length / Math.max(1, consumer.value!.data.length) : 1
  candidates.push(g, `${g}/${n}`)
  const inShape = trace.nodes[edge.input]!.value!.shape
  // A sum or mean along one axis: the gradient copied back along it (mathjs's sum(A, 1) is a vector, so g' is its row).
  if (inShape.length === 2) {
    const [m, n2] = inShape as [number, number]
    for (const scale of ['', `/${m}`]) candidates.push(`ones(${m}, 1)*${g}'${scale}`, `ones(${m}, 1)*${g}${scale}`)
    for (const scale of ['', `/${n2}`]) candidates.push(`${g}*ones(1, ${n2})${scale}`)
  }
  // softmax's rule in words, p ⊙ (ḡ - Σ(ḡ ⊙ p)), with its output for p.
  if (consumer.op === 'softmax') {
    const o = consumer.label
    const dim = consumer.params.dim === undefined ? '' : `, ${consumer.params.dim + 1}`
    // Along rows, the sums are a vector (as mathjs gives), stood up as a column by transposing twice.
    candidates.push(`${o} .* (${g} - sum(${g} .* ${o}${dim}))`, `${o} .* (${g} - (sum(${g} .* ${o}${dim})')')`)
  }
  if ((consumer.op === 'conv1d' || consumer.op === 'conv2d') && a && b && (consumer.params.stride ?? 1) === 1) {
    const p = consumer.params.padding ?? 0
    const k = b.value!.shape[0]!
    candidates.push(
      edge.slot === 1
        ? `${consumer.op}(${a.label}, ${g}${p ? `, 1, ${p}` : ''})`
        : `${consumer.op}(${g}, ${consumer.op === 'conv1d' ? 'flip' : 'rot180'}(${b.label}), 1, ${k - 1 - p})`,
    )
  }
  return candidates
}

/** A node as it is typed in an answer: its name, or a constant as the program wrote it (bracketed where it is more than one token). */
function operandText(node: TensorNode): string {
  const written = node.kind === 'constant' ? (node.expression ?? node.label) : node.label
  return /^[\p{L}\p{N}_.$#]+$/u.test(written) ? written : `(${written})`
}

/**
 * Rules whose formula prints a rounded constant (1.4427/x for log2, 0.693147·2^x): the form a
 * student types, with the constant as a call.
 * Each is still judged before it is shown.
 */
function knownForms(fn: string, slot: number, g: string, [a, b]: string[]): string[] {
  switch (fn) {
    case 'log2':
      return [`${g} ./ (${a} .* log(2))`]
    case 'log10':
      return [`${g} ./ (${a} .* log(10))`]
    case 'logb':
      return slot === 0 ? [`${g} ./ (${a} .* log(${b}))`] : []
    case 'pow':
      return slot === 1 ? [`${g} .* log(${a}) .* ${a} .^ ${b}`] : [`${g} .* ${b} .* ${a} .^ (${b} - 1)`]
    default:
      return []
  }
}

const typedText = (trace: TensorTrace, edge: TensorEdge, g: string) => {
  const typed = typedRule(trace, edge, g)
  return typed === undefined ? '' : Q.typedAs(typed)
}

function judge(trace: TensorTrace, edge: TensorEdge, text: string, tolerance: number): Verdict {
  const g = upstreamName(trace)
  const here = new Map([[g, trace.grads[edge.consumer]!]])
  const truth = edge.contribution
  // A scalar stands for itself copied to every entry, as broadcasting copies it: `g` for sum's rule, `g/4` for mean's.
  const typed = (values: Map<string, Tensor>) => {
    const t = ruleValue(text, trace, values, g)
    return t.shape.length === 0 && truth.shape.length > 0 ? tensor(truth.shape, new Float64Array(truth.data.length).fill(t.data[0]!)) : t
  }
  const yours = typed(here)
  if (!sameShape(yours.shape, truth.shape)) {
    const transposed = yours.shape.length === 2 && agrees(transposeOf(yours), truth, tolerance)
    return { right: false, why: Q.wrongShape(shapeText(yours.shape), shapeText(truth.shape), trace.nodes[edge.input]!.label, transposed) }
  }
  if (!agrees(yours, truth, tolerance)) return { right: false, why: Q.wrongValues }
  for (const seed of [1, 2]) {
    const { values, truth: moved } = movedPoint(trace, edge, seed * 7919 + edge.consumer, g)
    const elsewhere = typed(values)
    if (!agrees(elsewhere, moved, tolerance)) return { right: false, why: Q.rightHereOnly(g) }
  }
  return { right: true }
}

/** Asks every question until the input ends or the student types q; returns the score. */
/** An answer judged against its question: the verdict, or why it cannot be read (said, and asked again). */
function judgeAnswer(trace: TensorTrace, question: TensorQuestion, line: string, tolerance: number): Verdict | string {
  if (question.kind === 'shape') {
    const shape = readShape(line)
    if (!shape) return Q.unreadableShape
    return sameShape(shape, question.shape) ? { right: true } : { right: false, why: '' }
  }
  try {
    if (question.kind === 'rule') return judge(trace, question.edge, line, tolerance)
    const value = valueIn(trace, line)
    if (value.data.length !== 1) throw new InputError(Q.oneNumber(shapeText(value.shape)))
    return agrees(value, tensor([], [question.answer]), tolerance) ? { right: true } : { right: false, why: '' }
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return QUIZ.unreadable(error.message)
  }
}

/** A right answer counted: at the first try, or after hints. */
function countRight(score: Score, misses: number): void {
  if (misses === 0) score.firstTry++
  else score.afterHint++
}

export async function runTensorQuiz(
  trace: TensorTrace,
  questions: TensorQuestion[],
  io: QuizIo,
  options: { tolerance: number; precision?: number; ascii: boolean; chalk?: Colors },
): Promise<Score> {
  const c = options.chalk ?? PLAIN
  const text = (s: string) => (options.ascii ? Q.ascii(s) : s)
  const score: Score = { asked: 0, total: questions.length, firstTry: 0, afterHint: 0, shown: 0, unfinished: 0 }
  let section: string | undefined
  const g = upstreamName(trace)
  io.write(`${text(Q.intro(questions.length, g))}\n`)
  for (const [k, question] of questions.entries()) {
    if (question.section !== section) {
      section = question.section
      io.write(`\n${c.bold(text(Q.titles[question.section](g)))}\n`)
    }
    io.write(`\n(${k + 1}/${questions.length}) ${text(question.ask)} = ?${'context' in question ? c.dim(text(`   (${question.context})`)) : ''}\n`)
    score.asked++
    let misses = 0
    for (let tried = false; ; tried = true) {
      const line = await nextAnswer(io, score, k, questions.length, tried)
      if (line === undefined) return finish(score, io)
      let verdict: Verdict | undefined
      // "undefined" where a rule is a convention: right for one entry's number, a pointer to the convention for a whole rule.
      if (UNDEFINED_ANSWER.test(line) && question.kind !== 'shape') {
        if (question.kind === 'entry' && question.kink) {
          countRight(score, misses)
          io.write(`  ${c.green(QUIZ.right(options.ascii))}: ${text(QUIZ.kinkAnswer(question.kink, formatNumber(question.answer, options.precision)))}\n`)
          break
        }
        io.write(`  ${text(question.kind === 'rule' && question.kink ? Q.ruleAtKink(question.kink, g) : QUIZ.definedHere)}\n`)
        continue
      }
      if (line.trim() !== '' && line.trim() !== '?') {
        const judged = judgeAnswer(trace, question, line, options.tolerance)
        if (typeof judged === 'string') {
          io.write(`  ${question.kind === 'shape' ? text(judged) : judged}\n`)
          continue
        }
        verdict = judged
      }
      if (verdict?.right) {
        countRight(score, misses)
        io.write(`  ${c.green(QUIZ.right(options.ascii))}\n`)
        break
      }
      misses++
      const why = verdict && !verdict.right && verdict.why ? `${verdict.why}; ` : ''
      if (misses <= 2) io.write(`  ${verdict ? c.red(QUIZ.wrong(options.ascii)) : QUIZ.hint}: ${text(why + question.hints[misses - 1]!)}\n`)
      else {
        score.shown++
        io.write(`  ${c.yellow(QUIZ.answer)}: ${text(question.reveal)}\n`)
        break
      }
    }
  }
  return finish(score, io)
}
