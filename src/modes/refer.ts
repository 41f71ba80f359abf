// How a person points at a node of a traced program: by name (x, yhat, t2, L) or by writing the
// expression it computes ((yhat - y)^2, x*w + b). Expressions are matched by structure, with the
// operands of + · max min in any order, so x*w and w*x name the same node.
import { closestName } from '../bindings.js'
import { InputError } from '../errors.js'
import { parseProgram, type Expr } from '../parse.js'
import { CONSTANT_VALUES, type OpId } from '../ops.js'
import { isNumber } from '../sym.js'
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
}

/** Indexes a trace's nodes by name and by structure; linear in the trace (keys are interned ids). */
export function indexNodes(trace: Trace): NodeIndex {
  const names = new Map<string, number>()
  const byKey = new Map<string, number[]>()
  const ids = new Map<string, number>()
  const keys: string[] = []
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
    else
      key = intern(
        opKey(
          node.op!,
          node.inputs.map((j) => keys[j]!),
        ),
      )
    keys.push(key)
    const list = byKey.get(key)
    if (list) list.push(i)
    else byKey.set(key, [i])
  })
  return { names, byKey, keys, intern }
}

function opKey(op: OpId, args: string[]): string {
  return `${op}(${(COMMUTATIVE.has(op) ? [...args].sort() : args).join(',')})`
}

/** The node `text` names or computes. Throws InputError saying why when it is none, or ambiguous. */
export function findNode(trace: Trace, index: NodeIndex, text: string): number {
  // A name may come in parentheses, (c#1) as well as c#1: # would start a comment for mathjs.
  const inner = /^\(\s*(.*?)\s*\)$/.exec(text.trim())?.[1]
  const name = inner !== undefined && LABEL.test(inner) ? inner : text.trim()
  if (LABEL.test(name)) {
    const node = index.names.get(name)
    if (node !== undefined) return node
    const near = closestName(name, [...index.names.keys()])
    throw new InputError(`${name} is not a node of the program${near ? `; did you mean ${near}?` : ''} (its nodes: ${nodeList(trace)})`)
  }
  let program
  try {
    program = parseProgram(name)
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`cannot read "${name}": ${error.message}`)
    throw error
  }
  if (program.statements.length !== 1 || program.statements[0]!.target !== undefined) {
    throw new InputError(`"${name}" should be one expression or one node name`)
  }
  const { intern } = index
  const key = (expr: Expr): string => {
    if (expr.kind === 'number') return intern(`c ${expr.value}`)
    if (expr.kind === 'name') {
      const node = index.names.get(expr.name)
      if (node !== undefined) return index.keys[node]!
      if (Object.hasOwn(CONSTANT_VALUES, expr.name)) return intern(`c ${CONSTANT_VALUES[expr.name]}`)
      const near = closestName(expr.name, [...index.names.keys()])
      throw new InputError(`in "${name}": ${expr.name} is not a node of the program${near ? `; did you mean ${near}?` : ''} (for a product write x*w, not xw)`)
    }
    return intern(opKey(expr.op, expr.args.map(key)))
  }
  const nodes = index.byKey.get(key(program.statements[0]!.expr))
  if (!nodes) throw new InputError(`"${name}" is not computed by any node of the program (its nodes: ${nodeList(trace)})`)
  const ops = nodes.filter((i) => trace.nodes[i]!.kind !== 'constant')
  if (ops.length === 0) throw new InputError(`"${name}" is a constant, not a node that gradients flow through`)
  if (ops.length > 1) {
    throw new InputError(`"${name}" is computed by ${ops.length} nodes (${ops.map((i) => trace.nodes[i]!.label).join(', ')}): name the one you mean`)
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

function nodeList(trace: Trace): string {
  const labels = trace.nodes.filter((n) => n.kind !== 'constant').map((n) => n.label)
  return labels.length > 12 ? `${labels.slice(0, 12).join(', ')}, …` : labels.join(', ')
}
