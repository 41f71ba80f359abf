// Statements → computational graph: one node per operation, one leaf per variable shared by every
// use (so fan-out stays visible), constants as leaves. Nodes are created inputs-first, so creation
// order is a topological order, and ids depend only on the program text.
import { foldExpr, type Expr, type Leaf, type Program } from './parse.js'
import { CONSTANT_VALUES, type OpId } from './ops.js'
import { formatNumber } from './format.js'

export type NodeKind = 'variable' | 'constant' | 'op'

export interface GraphNode {
  /**
   * Deterministic id, unique in the graph: a variable's name, an assigned name (c#1, c#2 when a
   * name is assigned more than once), the output's name, t1, t2, … for the other operations in
   * order, c1, c2, … for constants.
   */
  id: string
  /** What the trace calls the node: the id, except for constants (their value, or pi and e). */
  label: string
  kind: NodeKind
  op?: OpId
  /** The name a statement assigned to this node (`c` for c#2). */
  assigned?: string
  /** Input node indexes, in argument order; a node used twice appears twice. */
  inputs: number[]
  /** A constant leaf's value. */
  constant?: number
  /** Index of the statement that created the node (variables: first used in). */
  statement: number
}

export interface Graph {
  source: string
  nodes: GraphNode[]
  output: number
  /** Variable node indexes, in order of first use. */
  variables: number[]
  /** Things the user should know about how the program was read. */
  notes: string[]
}

/** The output's name when the last statement is a bare expression: the first one the program leaves free. */
const OUTPUT_NAMES = ['L', 'Loss', 'out', 'output']

export function buildGraph(program: Program): Graph {
  const names = collectNames(program)
  const opPrefix = freePrefix(['t', 'n', 'u', 'v'], names)
  const constPrefix = freePrefix(['c', 'k', 'q'], names)
  const nodes: GraphNode[] = []
  const variables: number[] = []
  const notes: string[] = []
  const env = new Map<string, number>()
  const variableNames = new Set<string>()
  const assignments = new Map<string, number[]>()
  let ops = 0
  let constants = 0

  // Operations get their ids once every name is known (below); constants get theirs now.
  const addNode = (node: GraphNode): number => {
    if (node.kind === 'constant') node.id = node.label = `${constPrefix}${++constants}`
    nodes.push(node)
    return nodes.length - 1
  }

  let output = -1
  program.statements.forEach((statement, k) => {
    const firstNew = nodes.length
    const leaf = (expr: Leaf): number => {
      if (expr.kind === 'number') {
        const index = addNode({ id: '', label: '', kind: 'constant', inputs: [], constant: expr.value, statement: k })
        nodes[index]!.label = formatNumber(expr.value)
        return index
      }
      if (expr.kind === 'name') {
        const bound = env.get(expr.name)
        if (bound !== undefined) return bound
        if (Object.hasOwn(CONSTANT_VALUES, expr.name)) {
          const index = addNode({ id: '', label: '', kind: 'constant', inputs: [], constant: CONSTANT_VALUES[expr.name]!, statement: k })
          nodes[index]!.label = expr.name
          return index
        }
        nodes.push({ id: expr.name, label: expr.name, kind: 'variable', inputs: [], statement: k })
        const index = nodes.length - 1
        env.set(expr.name, index)
        variables.push(index)
        variableNames.add(expr.name)
        return index
      }
      throw new Error('leaf() called on an apply')
    }
    let result = foldExpr(statement.expr, leaf, (op, inputs) => addNode({ id: '', label: '', kind: 'op', op, inputs, statement: k }))
    const isLast = k === program.statements.length - 1
    if (statement.target !== undefined) {
      const target = statement.target
      // A new operation takes the name; an alias (a = x, a = 2) gets an identity node so it can be named.
      if (result < firstNew || nodes[result]!.kind !== 'op') {
        result = addNode({ id: '', label: '', kind: 'op', op: 'identity', inputs: [result], statement: k })
      }
      if (variableNames.has(target) && !assignments.has(target)) {
        notes.push(
          `${target} is used before it is assigned (statement ${k + 1}): uses before the assignment read the input variable ${target}, later ones the assigned value`,
        )
      }
      const list = assignments.get(target) ?? []
      list.push(result)
      assignments.set(target, list)
      env.set(target, result)
    } else if (!isLast) {
      notes.push(`statement ${k + 1} is neither assigned nor the last statement, so it does not affect the output`)
    }
    if (isLast) output = result
  })

  // Labels: a name assigned once (and not also an input variable) is the node's label; otherwise
  // each assignment is numbered, c#1, c#2, so every label in the trace names one node.
  for (const [name, list] of assignments) {
    const numbered = list.length > 1 || variableNames.has(name)
    list.forEach((index, k) => {
      nodes[index]!.label = numbered ? `${name}#${k + 1}` : name
      nodes[index]!.assigned = name
    })
  }
  const out = nodes[output]!
  if (out.label === '' && out.kind === 'op') {
    out.label = OUTPUT_NAMES.find((name) => !names.has(name)) ?? freePrefix(['L'], names) + '1'
  }
  // The rest are numbered in order, t1, t2, …, without gaps for the named ones.
  for (const node of nodes) {
    if (node.kind !== 'op') continue
    if (node.label === '') node.label = `${opPrefix}${++ops}`
    node.id = node.label
  }
  return { source: program.source, nodes, output, variables, notes }
}

function collectNames(program: Program): Set<string> {
  const names = new Set<string>()
  for (const statement of program.statements) {
    if (statement.target !== undefined) names.add(statement.target)
    const stack: Expr[] = [statement.expr]
    while (stack.length > 0) {
      const expr = stack.pop()!
      if (expr.kind === 'name') names.add(expr.name)
      else if (expr.kind === 'apply') stack.push(...expr.args)
    }
  }
  return names
}

/** The first prefix such that no name in the program looks like prefix + digits. */
function freePrefix(candidates: string[], names: Set<string>): string {
  for (const prefix of candidates) {
    const pattern = new RegExp(`^${prefix}\\d+$`)
    if (![...names].some((name) => pattern.test(name))) return prefix
  }
  return freePrefix(candidates.map((c) => `${c}_`), names)
}
