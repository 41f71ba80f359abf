// Statements → computational graph: one node per operation, one leaf per variable shared by every
// use (so fan-out stays visible), constants as leaves. Nodes are created inputs-first, so creation
// order is a topological order, and ids depend only on the program text.
import { foldExpr, type Expr, type Leaf, type Program, type Statement } from './parse.js'
import { CONSTANT_VALUES, type OpId } from './ops.js'
import { formatNumber } from './format.js'
import { rational } from './canon.js'
import type { Sym } from './sym.js'
import { LIMITS } from './limits.js'
import { InputError } from './errors.js'

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
  /** A literal the program writes with a sign or as a fraction (-1, 1/3), exactly: one constant, not an operation. */
  exact?: Sym
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
export const OUTPUT_NAMES = ['L', 'Loss', 'out', 'output']

export function buildGraph(program: Program): Graph {
  const builder = new GraphBuilder(program)
  program.statements.forEach((statement, k) => builder.statement(statement, k))
  const graph = builder.finish()
  // Numbers and names bound the text; nodes bound the trace (-x + -y + … makes two per name).
  if (graph.nodes.length > LIMITS.maxNodes) {
    throw new InputError(
      `the program makes ${graph.nodes.length} nodes (one per operation, variable and constant), more than the tutor's limit of ${LIMITS.maxNodes}; split it into smaller programs`,
    )
  }
  return graph
}

/** Statements in, nodes out: one leaf per variable shared by every use, one node per operation. */
class GraphBuilder {
  readonly nodes: GraphNode[] = []
  readonly variables: number[] = []
  readonly notes: string[] = []
  /** What each name stands for now: its variable, or its newest assignment. */
  private readonly env = new Map<string, number>()
  private readonly variableNames = new Set<string>()
  private readonly assignments = new Map<string, number[]>()
  private readonly names: Set<string>
  private readonly constPrefix: string
  private constants = 0
  private output = -1

  constructor(private readonly program: Program) {
    this.names = collectNames(program)
    this.constPrefix = freePrefix(['c', 'k', 'q'], this.names)
  }

  /** Operations get their ids once every name is known (in finish); constants get theirs now. */
  private add(node: GraphNode): number {
    if (node.kind === 'constant') node.id = node.label = `${this.constPrefix}${++this.constants}`
    this.nodes.push(node)
    return this.nodes.length - 1
  }

  private leaf(expr: Leaf, k: number): number {
    if (expr.kind === 'number') {
      const index = this.add({ id: '', label: '', kind: 'constant', inputs: [], constant: expr.value, statement: k })
      this.nodes[index]!.label = formatNumber(expr.value)
      return index
    }
    const bound = this.env.get(expr.name)
    if (bound !== undefined) return bound
    if (Object.hasOwn(CONSTANT_VALUES, expr.name)) {
      const index = this.add({ id: '', label: '', kind: 'constant', inputs: [], constant: CONSTANT_VALUES[expr.name]!, statement: k })
      this.nodes[index]!.label = expr.name
      return index
    }
    this.nodes.push({ id: expr.name, label: expr.name, kind: 'variable', inputs: [], statement: k })
    const index = this.nodes.length - 1
    this.env.set(expr.name, index)
    this.variables.push(index)
    this.variableNames.add(expr.name)
    return index
  }

  /**
   * -1 and 1/3 are numbers a program writes, not operations it asks for: they become one constant
   * (x^-1 is x to the constant -1). Their nodes were made just now, so the last ones are theirs.
   */
  private literal(op: OpId, inputs: number[]): number | undefined {
    const [a, b] = inputs.map((i) => this.nodes[i]!)
    const isLiteral = (node: GraphNode | undefined) => node?.kind === 'constant' && !Object.hasOwn(CONSTANT_VALUES, node.label)
    const fraction = (node: GraphNode) => node.exact !== undefined && typeof node.exact !== 'number'
    if (op === 'neg' && isLiteral(a) && inputs[0] === this.nodes.length - 1) {
      a!.constant = -a!.constant!
      a!.exact = typeof a!.exact === 'object' ? { op: 'neg', args: [a!.exact] } : a!.constant
      a!.label = fraction(a!) ? `-${a!.label}` : formatNumber(a!.constant)
      return inputs[0]
    }
    const integer = (node: GraphNode) => isLiteral(node) && typeof (node.exact ?? 0) === 'number' && Number.isSafeInteger(node.constant)
    if (op === 'div' && integer(a!) && integer(b!) && b!.constant !== 0 && inputs[1] === this.nodes.length - 1 && inputs[0] === inputs[1]! - 1) {
      this.nodes.pop()
      this.constants--
      a!.exact = rational(a!.constant!, b!.constant!)
      a!.constant = a!.constant! / b!.constant!
      a!.label = typeof a!.exact === 'number' ? formatNumber(a!.constant) : `${a!.constant < 0 ? '-' : ''}${fractionText(a!.exact)}`
      return inputs[0]
    }
    return undefined
  }

  statement(statement: Statement, k: number): void {
    const firstNew = this.nodes.length
    let result = foldExpr(
      statement.expr,
      (leaf) => this.leaf(leaf, k),
      (op, inputs) => this.literal(op, inputs) ?? this.add({ id: '', label: '', kind: 'op', op, inputs, statement: k }),
    )
    const isLast = k === this.program.statements.length - 1
    if (statement.target !== undefined) {
      // A new operation takes the name; an alias (a = x, a = 2) gets an identity node so it can be named.
      if (result < firstNew || this.nodes[result]!.kind !== 'op') {
        result = this.add({ id: '', label: '', kind: 'op', op: 'identity', inputs: [result], statement: k })
      }
      this.assign(statement.target, result, k)
    } else if (!isLast) {
      this.notes.push(`statement ${k + 1} is neither assigned nor the last statement, so it does not affect the output`)
    }
    if (isLast) this.output = result
  }

  private assign(target: string, node: number, k: number): void {
    if (this.variableNames.has(target) && !this.assignments.has(target)) {
      this.notes.push(
        `${target} is used before it is assigned (statement ${k + 1}): uses before the assignment read the input variable ${target}, later ones the assigned value`,
      )
    }
    const list = this.assignments.get(target) ?? []
    list.push(node)
    this.assignments.set(target, list)
    this.env.set(target, node)
  }

  /** Labels and ids, once every name is known. */
  finish(): Graph {
    const { nodes, names } = this
    // A name assigned once (and not also an input variable) is the node's label; otherwise each
    // assignment is numbered, c#1, c#2, so every label in the trace names one node.
    for (const [name, list] of this.assignments) {
      const numbered = list.length > 1 || this.variableNames.has(name)
      list.forEach((index, k) => {
        nodes[index]!.label = numbered ? `${name}#${k + 1}` : name
        nodes[index]!.assigned = name
      })
    }
    const out = nodes[this.output]!
    if (out.label === '' && out.kind === 'op') {
      out.label = OUTPUT_NAMES.find((name) => !names.has(name)) ?? freePrefix(['L'], names) + '1'
    }
    // The rest are numbered in order, t1, t2, …, without gaps for the named ones.
    const opPrefix = freePrefix(['t', 'n', 'u', 'v'], names)
    let ops = 0
    for (const node of nodes) {
      if (node.kind !== 'op') continue
      if (node.label === '') node.label = `${opPrefix}${++ops}`
      node.id = node.label
    }
    return { source: this.program.source, nodes, output: this.output, variables: this.variables, notes: this.notes }
  }
}

/** n/d of an exact fraction, unsigned. */
function fractionText(s: Sym): string {
  const fraction = typeof s === 'object' && 'op' in s && s.op === 'neg' ? s.args[0]! : s
  const [n, d] = (fraction as { args: number[] }).args
  return `${n}/${d}`
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
export function freePrefix(candidates: string[], names: Set<string>): string {
  for (const prefix of candidates) {
    const pattern = new RegExp(`^${prefix}\\d+$`)
    if (![...names].some((name) => pattern.test(name))) return prefix
  }
  return freePrefix(
    candidates.map((c) => `${c}_`),
    names,
  )
}
