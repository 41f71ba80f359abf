// `quiz`: the trace turned into questions, asked in the order backprop computes them (forward
// values, ① local derivatives, ② upstream × local), each revealed only after the student tries.
import { PLAIN, type Colors } from '../steps/colors.js'
import { evaluateText } from '../bindings.js'
import { InputError } from '../errors.js'
import { OPS } from '../ops.js'
import { isNumber, printSym, symNames, type Sym } from '../sym.js'
import type { Trace } from '../trace.js'
import { sum, tangent } from '../steps/cells.js'
import { tangentLines } from '../steps/tangents.js'
import { forwardMode } from './forward.js'
import type { Differentiation } from './forward.js'
import { lesson, type Lesson } from '../steps/lesson.js'
import { QUIZ, conventionText, placeholders, ruleSentence } from '../steps/words.js'
import { notation, type Notation } from '../steps/text.js'
import { UNDEFINED_ANSWER, agrees } from './claims.js'

export { UNDEFINED_ANSWER }
import { nodeValues } from './refer.js'
import { formulaSlip, type Elsewhere } from './formula.js'

export type Section = 'forward' | 'local' | 'backward' | 'tangent'

export interface Question {
  section: Section
  /** What is asked: "t1 = w·x", "∂t2/∂t1", "∂L/∂t1 = ∂L/∂t2 · ∂t2/∂t1". */
  ask: string
  /** What the question is about, shown beside it: "t2 = t1 - y". */
  context?: string
  answer: number
  /** Shown after the first and the second wrong answer: the rule, then the formula with numbers. */
  hints: [string, string]
  /** The worked answer, shown after a third wrong answer (and after a right one, when it was rounded). */
  reveal: string
  /** The answer in the same program at another point: a formula typed as the answer must match it there too. */
  answerAt: (t: Trace) => number
  /** The names the right formula uses (a for ∂(a²)/∂a = 2·a): a formula slip shows where they moved. */
  answerNames?: string[]
  /** Which step of the trace it asks, as a key (stepKey) the html page's steps share. */
  about: string
  /** At a non-differentiable point: the convention that gives `answer` ("undefined" is then right too). */
  kink?: string
}

/** What a student types for a derivative that does not exist. */

/** A step by what it computes: a node's value or gradient sum, an edge's local derivative or contribution, the seed. */
export const stepKey = (kind: 'value' | 'local' | 'seed' | 'contribution' | 'sum' | 'tangent', index: number) => `${kind}:${index}`

const numberAt = (s: Sym | null) => (s !== null && isNumber(s) ? s : NaN)

/** The questions of a fully bound trace, in the order the tutor's tables show the steps. */
export function quizQuestions(trace: Trace, options: { precision: number; ascii: boolean; mode?: Differentiation }): Question[] {
  if (trace.unbound.length > 0) {
    throw new InputError(`the quiz needs a value for every variable: bind ${trace.unbound.map((v) => `--${v} VALUE`).join(' ')}, or try --random`)
  }
  const n = notation(options)
  const asking: Asking = { trace, steps: lesson(trace, { explain: false }), n, num: (x) => printSym(x, n.style) }
  const mode = options.mode ?? 'reverse'
  const questions = [
    ...forwardQuestions(asking),
    ...localQuestions(asking),
    ...(mode === 'forward' ? [] : backwardQuestions(asking)),
    ...(mode === 'reverse' ? [] : tangentQuestions(asking)),
  ]
  // An answer no one can type (NaN, Infinity) makes a question that cannot be passed.
  const infinite = questions.find((q) => !Number.isFinite(q.answer))
  if (infinite) {
    throw new InputError(`the quiz needs a finite number at every step, and ${infinite.ask} is ${infinite.answer} here; try other values`)
  }
  return questions
}

interface Asking {
  trace: Trace
  steps: Lesson
  n: Notation
  num: (x: Sym) => string
}

/** "t1 = 3, y = 1": the values a node is computed from, each named once, constants left out. */
function inputValues({ trace, num }: Asking, i: number): string[] {
  return [...new Set(trace.nodes[i]!.inputs)]
    .filter((j) => trace.nodes[j]!.kind !== 'constant')
    .map((j) => `${trace.nodes[j]!.label} = ${num(trace.nodes[j]!.value)}`)
}

function forwardQuestions(asking: Asking): Question[] {
  const { trace, n, num } = asking
  return trace.nodes.flatMap((node, i): Question[] => {
    if (node.kind !== 'op' || !node.onPath || node.op === 'identity' || !isNumber(node.value)) return []
    const withValues = printSym({ op: node.op!, args: node.inputs.map((j) => trace.nodes[j]!.value) }, n.style)
    return [
      {
        section: 'forward',
        ask: `${node.label} = ${printSym(node.expression!, n.style)}`,
        answer: node.value,
        hints: [QUIZ.forwardHint(OPS[node.op!].inputs[0]!.rule.name, inputValues(asking, i)), `${node.label} = ${withValues}`],
        reveal: worked(`${node.label} = ${withValues}`, withValues, num(node.value)),
        answerAt: (t) => numberAt(t.nodes[i]!.value),
        answerNames: node.inputs.map((j) => trace.nodes[j]!.label),
        about: stepKey('value', i),
      },
    ]
  })
}

function localQuestions(asking: Asking): Question[] {
  const { trace, steps, n, num } = asking
  const names = placeholders(trace)
  // At a kink the formula does not apply and the convention decides: say so in the hint.
  const conventions = new Map(
    trace.flags.filter((f) => f.code === 'convention').map((f) => [f.edge!, n.print(conventionText(trace.nodes[f.node]!.op!, f.convention!))]),
  )
  const kinks = new Set(trace.flags.filter((f) => f.code === 'convention' && f.kind === 'non-differentiable').map((f) => f.edge!))
  return [...steps.locals()].flatMap((row): Question[] => {
    const edge = trace.edges[row.edge]!
    if (!isNumber(edge.localValue)) return []
    const name = n.print(row.local)
    const convention = conventions.get(row.edge)
    const formula = printSym(edge.local, n.style)
    const consumer = trace.nodes[edge.to]!
    return [
      {
        section: 'local',
        ask: name,
        context: `${consumer.label} = ${printSym(consumer.expression!, n.style)}`,
        answer: edge.localValue,
        // At a kink or tie the convention is the first hint: the rule's formula alone gives a one-sided slope.
        // The first says that a convention decides, the second which: the value is the answer.
        hints: convention
          ? [
              `${name} = ${formula} away from this point, but here the formula does not apply, and the backward pass takes a convention (PyTorch's)`,
              `here ${convention}`,
            ]
          : [n.print(ruleSentence(consumer.op!, edge.slot, names)), `${name} = ${formula}, with ${inputValues(asking, edge.to).join(', ')}`],
        reveal: convention ? `${name} = ${num(edge.localValue)}: ${convention}` : worked(`${name} = ${formula}`, formula, num(edge.localValue)),
        answerAt: (t) => numberAt(t.edges[row.edge]!.localValue),
        answerNames: symNames(edge.local),
        about: stepKey('local', row.edge),
        ...(convention && kinks.has(row.edge) ? { kink: convention } : {}),
      },
    ]
  })
}

function backwardQuestions({ trace, steps, n, num }: Asking): Question[] {
  const print = n.print
  return [...steps.backward()].flatMap((step): Question[] => {
    const gradient = print(step.gradient)
    if (step.kind === 'seed') {
      return [
        {
          section: 'backward',
          ask: gradient,
          context: QUIZ.seedContext,
          answer: 1,
          hints: QUIZ.seedHints,
          reveal: `${gradient} = 1: ${QUIZ.seedContext}`,
          answerAt: () => 1,
          about: stepKey('seed', 0),
        },
      ]
    }
    if (step.kind === 'contribution') {
      if (!isNumber(step.contribution)) return []
      const product = print([step.upstream, ` ${n.times} `, step.local])
      const numbers = print(step.values)
      return [
        {
          section: 'backward',
          ask: `${gradient}${step.total > 1 ? ` ${QUIZ.contributionQuestion(step.k)}` : ''} = ${product}`,
          answer: step.contribution,
          hints: [QUIZ.chainRuleHint, `${product} = ${numbers}`],
          reveal: `${gradient} = ${product} = ${numbers} = ${num(step.contribution)}`,
          answerAt: (t) => numberAt(t.edges[step.edge]!.contribution),
          about: stepKey('contribution', step.edge),
        },
      ]
    }
    if (!isNumber(step.grad)) return []
    const parts = print(sum(step.terms))
    return [
      {
        section: 'backward',
        ask: `${gradient} = ${QUIZ.sumQuestion(trace.nodes[step.node]!.label)}`,
        answer: step.grad,
        hints: QUIZ.sumHints(trace.nodes[step.node]!.label),
        reveal: `${gradient} = ${parts} = ${num(step.grad)}`,
        answerAt: (t) => numberAt(t.nodes[step.node]!.grad),
        about: stepKey('sum', step.node),
      },
    ]
  })
}

/** Forward mode: each tangent of each pass, local · incoming, as the backward rows are asked. */
function tangentQuestions({ trace, n, num }: Asking): Question[] {
  return forwardMode(trace).passes.flatMap((pass, p) =>
    tangentLines(trace, pass)
      .slice(1)
      .map((line, k): Question => {
        const rule = n.print(line.rule)
        const numbers = n.print(line.values)
        const answer = pass.rows[k]!.tangent as number
        return {
          section: 'tangent',
          ask: `${n.print(line.tangent)} = ${rule}`,
          context: QUIZ.tangentContext(n.print(tangent(pass.variable))),
          answer,
          hints: [QUIZ.tangentHint, `${rule} = ${numbers}`],
          reveal: `${n.print(line.tangent)} = ${rule} = ${numbers} = ${num(answer)}`,
          answerAt: (t) => numberAt(forwardMode(t).passes[p]?.rows[k]?.tangent ?? null),
          about: `${stepKey('tangent', pass.rows[k]!.node)}:${p}`,
        }
      }),
  )
}

/** "a = b = value", without repeating the value when b already is it. */
const worked = (lead: string, last: string, value: string) => (last === value ? lead : `${lead} = ${value}`)

export interface QuizIo {
  write: (text: string) => void
  /** The student's next line, or undefined when the input ends. */
  ask: (prompt: string) => Promise<string | undefined>
}

export interface Score {
  asked: number
  total: number
  firstTry: number
  afterHint: number
  shown: number
  /** Asked and answered, but not right before the input ended or the student stopped. */
  unfinished: number
}

/** Asks every question until the input ends or the student types q; returns the score. */
export async function runQuiz(
  trace: Trace,
  questions: Question[],
  io: QuizIo,
  options: { tolerance: number; precision: number; ascii: boolean; chalk?: Colors; elsewhere?: Elsewhere },
): Promise<Score> {
  const c = options.chalk ?? PLAIN
  const names = nodeValues(trace)
  const num = (x: number) => printSym(x, notation(options).style)
  const score: Score = { asked: 0, total: questions.length, firstTry: 0, afterHint: 0, shown: 0, unfinished: 0 }
  const right = c.green(QUIZ.right(options.ascii))
  const wrong = c.red(QUIZ.wrong(options.ascii))
  let section: Section | undefined
  io.write(`${QUIZ.intro(questions.length)}\n`)
  for (const [k, question] of questions.entries()) {
    if (question.section !== section) {
      section = question.section
      io.write(`\n${c.bold(notation(options).print(QUIZ.titles[section]))}\n`)
    }
    io.write(`\n(${k + 1}/${questions.length}) ${question.ask} = ?${question.context ? c.dim(`   (${question.context})`) : ''}\n`)
    score.asked++
    let misses = 0
    for (let tried = false; ; tried = true) {
      const line = await nextAnswer(io, score, k, questions.length, tried)
      if (line === undefined) return finish(score, io)
      let value: number | undefined
      // "undefined" at a kink is right: the derivative does not exist there, and a convention decides.
      if (UNDEFINED_ANSWER.test(line) && question.kink) {
        if (misses === 0) score.firstTry++
        else score.afterHint++
        io.write(`  ${right}: ${QUIZ.kinkAnswer(question.kink, num(question.answer))}\n`)
        break
      }
      if (UNDEFINED_ANSWER.test(line)) {
        io.write(`  ${QUIZ.definedHere}\n`)
        continue
      }
      if (line.trim() !== '' && line.trim() !== '?') {
        try {
          value = evaluateText(line, names)
        } catch (error) {
          if (!(error instanceof InputError)) throw error
          // [x > y], as the hints write an indicator: its value is what the answer takes.
          io.write(`  ${/[<>]/.test(line) ? QUIZ.comparison : QUIZ.unreadable(error.message)}\n`)
          continue
        }
      }
      const agree = (claimed: number, truth: number) => agrees(claimed, truth, options.tolerance)
      // Right here is not yet right: a formula must be the derivative elsewhere too.
      const slip =
        value !== undefined && agree(value, question.answer) && options.elsewhere
          ? formulaSlip(line, question.answerAt, options.elsewhere, agree, question.answerNames)
          : undefined
      if (slip) io.write(`  ${wrong}: ${notation(options).print(QUIZ.formulaSlip(slip))}\n`)
      else if (value !== undefined && agree(value, question.answer)) {
        if (misses === 0) score.firstTry++
        else score.afterHint++
        const exact = value === question.answer ? '' : ` (${question.reveal})`
        io.write(`  ${right}${exact}\n`)
        break
      }
      misses++
      if (misses <= 2) {
        io.write(`  ${value === undefined || slip ? QUIZ.hint : wrong}: ${question.hints[misses - 1]}\n`)
      } else {
        score.shown++
        io.write(`  ${c.yellow(QUIZ.answer)}: ${question.reveal}\n`)
        break
      }
    }
  }
  return finish(score, io)
}

/**
 * The student's next line; undefined, once where the quiz stopped is written, when the input ends
 * or says q. A question already `tried` stays asked, and counts as not finished; one never
 * answered (q at once) counts as not answered, with those never reached.
 */
export async function nextAnswer(io: QuizIo, score: Score, k: number, total: number, tried: boolean): Promise<string | undefined> {
  const line = await io.ask('> ')
  if (line !== undefined && !/^\s*(q|quit|exit)\s*$/i.test(line)) return line
  if (tried) score.unfinished++
  else score.asked--
  io.write(`\n${QUIZ.stopped(k + 1, total)}\n`)
  return undefined
}

/** The score, written and returned. */
export function finish(score: Score, io: QuizIo): Score {
  io.write(`\n${QUIZ.score(score)}\n`)
  return score
}
