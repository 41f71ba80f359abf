// How a person points at a node of a traced program: by name (x, yhat, t2, L) or by writing the
// expression it computes ((yhat - y)^2, x*w + b). Expressions are matched by structure, with the
// operands of + · max min in any order, so x*w and w*x name the same node.
import { closestName } from '../bindings.js'
import { InputError, excerpt } from '../errors.js'
import { parseProgram, type Expr } from '../parse.js'
import { CONSTANT_VALUES, type OpId } from '../ops.js'
import { isNumber, printSym, type Sym } from '../sym.js'
import { notation } from '../steps/text.js'
import type { Trace } from '../trace.js'

const COMMUTATIVE = new Set<OpId>(['add', 'mul', 'max', 'min'])
/** A node's name as the trace writes it: a variable or assigned name, t2, or c#1 for a reassigned c. */
const LABEL = /^[\p{L}_$][\p{L}\p{N}_$#]*$/u

export interface NodeIndex {
  /** The node a name stands for: labels (t2, c#1, L), variables, and assigned names (the newest assignment). */
  names: Map<string, number>
  /** Structural key → the nodes computing it, in order. */
  byKey: Map<string, number[]>
  /** Each node's structural key. */
  keys: string[]
  /** The short id of a structural key, shared with expressions typed later. */
  intern: (key: string) => string
  /** For a sum's or a product's key, its operands with nested sums (products) spread: a+(b+c) is a+b+c. */
  spread: Map<string, string[]>
}

/** Indexes a trace's nodes by name and by structure; linear in the trace (keys are interned ids). */
export function indexNodes(trace: Trace): NodeIndex {
  const names = new Map<string, number>()
  const byKey = new Map<string, number[]>()
  const ids = new Map<string, number>()
  const keys: string[] = []
  const spread = new Map<string, string[]>()
  const intern = (key: string) => {
    let id = ids.get(key)
    if (id === undefined) ids.set(key, (id = ids.size))
    return `#${id}`
  }
  trace.nodes.forEach((node, i) => {
    names.set(node.label, i)
    if (node.assigned) names.set(node.assigned, i)
    let key: string
    if (node.kind === 'variable') key = intern(`v ${node.id}`)
    else if (node.kind === 'constant') key = intern(`c ${node.value as number}`)
    else if (node.op === 'identity') key = keys[node.inputs[0]!]!
    // e^u is exp(u), however it is written.
    else if (node.op === 'pow' && trace.nodes[node.inputs[0]!]!.kind === 'constant' && trace.nodes[node.inputs[0]!]!.value === Math.E)
      key = opKey('exp', [keys[node.inputs[1]!]!], intern, spread)
    else
      key = opKey(
        node.op!,
        node.inputs.map((j) => keys[j]!),
        intern,
        spread,
      )
    keys.push(key)
    const list = byKey.get(key)
    if (list) list.push(i)
    else byKey.set(key, [i])
  })
  return { names, byKey, keys, intern, spread }
}

/** Sums and products are keyed by their operands spread and sorted, so grouping and order do not matter. */
const ASSOCIATIVE = new Set<OpId>(['add', 'mul'])

function opKey(op: OpId, args: string[], intern: (key: string) => string, spread: Map<string, string[]>): string {
  if (!ASSOCIATIVE.has(op)) return intern(`${op}(${(COMMUTATIVE.has(op) ? [...args].sort() : args).join(',')})`)
  const operands = args.flatMap((a) => (spread.get(a)?.[0] === op ? spread.get(a)!.slice(1) : [a])).sort()
  const key = intern(`${op}(${operands.join(',')})`)
  spread.set(key, [op, ...operands])
  return key
}

/** The node `text` names or computes. Throws InputError saying why when it is none, or ambiguous. */
export function findNode(trace: Trace, index: NodeIndex, text: string): number {
  // A name may come in parentheses, (c#1) as well as c#1: # would start a comment for mathjs.
  const inner = /^\(\s*(.*?)\s*\)$/.exec(text.trim())?.[1]
  const name = inner !== undefined && LABEL.test(inner) ? inner : text.trim()
  if (LABEL.test(name)) {
    const node = index.names.get(name)
    if (node !== undefined) return node
    throw new InputError(`${name} is not a node of the program${suggestion(trace, name)} (${nodeList(trace)})`)
  }
  let program
  try {
    program = parseProgram(name)
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`cannot read "${excerpt(name)}": ${error.message}`)
    throw error
  }
  if (program.statements.length !== 1 || program.statements[0]!.target !== undefined) {
    throw new InputError(`"${excerpt(name)}" should be one expression or one node name`)
  }
  const { intern } = index
  const key = (expr: Expr): string => {
    if (expr.kind === 'number') return intern(`c ${expr.value}`)
    if (expr.kind === 'name') {
      const node = index.names.get(expr.name)
      if (node !== undefined) return index.keys[node]!
      if (Object.hasOwn(CONSTANT_VALUES, expr.name)) return intern(`c ${CONSTANT_VALUES[expr.name]}`)
      const near = closestName(expr.name, [...index.names.keys()])
      throw new InputError(
        `in "${excerpt(name)}": ${expr.name} is not a node of the program${near ? `; did you mean ${near}?` : ''} (for a product write x*w, not xw)`,
      )
    }
    const base = expr.op === 'pow' ? expr.args[0]! : undefined
    if (base && ((base.kind === 'name' && base.name === 'e' && !index.names.has('e')) || (base.kind === 'number' && base.value === Math.E)))
      return opKey('exp', [key(expr.args[1]!)], intern, index.spread)
    return opKey(expr.op, expr.args.map(key), intern, index.spread)
  }
  const nodes = index.byKey.get(key(program.statements[0]!.expr))
  if (!nodes) throw new InputError(`"${excerpt(name)}" is not computed by any node of the program (${nodeList(trace)})`)
  const ops = nodes.filter((i) => trace.nodes[i]!.kind !== 'constant')
  if (ops.length === 0) throw new InputError(`"${excerpt(name)}" is a constant, not a node that gradients flow through`)
  if (ops.length > 1) {
    throw new InputError(`"${excerpt(name)}" is computed by ${ops.length} nodes (${ops.map((i) => trace.nodes[i]!.label).join(', ')}): name the one you mean`)
  }
  return ops[0]!
}

/** The numeric value of every node with one, by label and by assigned name, for answers typed as expressions. */
export function nodeValues(trace: Trace): Record<string, number> {
  // Keyed by the program's names (__proto__, constructor, …): an object with no prototype.
  const values: Record<string, number> = Object.create(null)
  for (const node of trace.nodes) {
    if (node.kind === 'constant' || !isNumber(node.value)) continue
    values[node.label] = node.value
    if (node.assigned) values[node.assigned] = node.value
  }
  return values
}

/**
 * What a student most likely meant by an unknown name: the nearest by spelling of the names the
 * program assigned, its variables and the nodes the tool named (t2), in that order where two are
 * as near (W is w, not L, though L is assigned).
 */
function suggestion(trace: Trace, name: string): string {
  // L (the name a bare last expression gets) where the program names its output: that output.
  const output = trace.nodes[trace.output]!.label
  if (/^(L|Loss|loss|out|output)$/.test(name) && output !== name) return `; the output is ${output}, as in d${output}/d…`
  const groups = nodeGroups(trace)
  const candidates = [...groups.assigned, ...groups.variables, ...groups.tool.map((t) => t.label)]
  const near = closestName(name, candidates)
  return near ? `; did you mean ${near}?` : ''
}

/** The program's nodes as a student knows them: assigned names, variables, then the others by the expression they compute. */
function nodeList(trace: Trace): string {
  const { assigned, variables, tool } = nodeGroups(trace)
  const few = (items: string[]) => (items.length > 8 ? `${items.slice(0, 8).join(', ')}, …` : items.join(', '))
  const n = notation({ ascii: false, precision: 6 })
  const parts = [
    assigned.length ? `names the program assigns: ${few(assigned)}` : '',
    variables.length ? `variables: ${few(variables)}` : '',
    tool.length ? `other nodes: ${few(tool.map((t) => `${t.label} = ${printSym(t.expression, n.style)}`))}` : '',
  ]
  return parts.filter(Boolean).join('; ')
}

function nodeGroups(trace: Trace) {
  const assigned: string[] = []
  const variables: string[] = []
  const tool: { label: string; expression: Sym }[] = []
  for (const node of trace.nodes) {
    if (node.kind === 'variable') variables.push(node.label)
    else if (node.kind === 'op' && node.assigned !== undefined) assigned.push(node.label)
    else if (node.kind === 'op') tool.push({ label: node.label, expression: node.expression! })
  }
  return { assigned, variables, tool }
}
