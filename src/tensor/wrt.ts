// --wrt on a tensor program: the trace seen from the chosen nodes. The backward pass keeps the
// edges on a path from the output down to one of them, and the gradients are theirs: the chosen
// variables, then the chosen intermediates (∂L/∂z), each checked by moving it alone.
import { InputError } from '../errors.js'
import { checkGradients, type TensorTrace } from './trace.js'
import { tensor } from './tensor.js'

/**
 * The node a --wrt name stands for: a variable or node by its label (t2, h#1), or an assigned name
 * (z; a name assigned twice stands for its newest value, as in the program). Constants are not chosen.
 */
export function wrtTensorNode(trace: TensorTrace, name: string): number | undefined {
  const byLabel = trace.nodes.findIndex((node) => node.kind !== 'constant' && node.label === name)
  if (byLabel >= 0) return byLabel
  let found: number | undefined
  trace.nodes.forEach((node, i) => node.assigned === name && (found = i))
  return found
}

/** The trace limited to the chosen names (already known to be nodes of it). */
export function wrtView(trace: TensorTrace, names: string[]): TensorTrace {
  const chosen = new Set(names.map((name) => wrtTensorNode(trace, name)!))
  // A node depends on a chosen one when it is chosen or one of its inputs does.
  const reaches: boolean[] = []
  trace.nodes.forEach((node, i) => (reaches[i] = chosen.has(i) || node.inputs.some((k) => reaches[k])))
  const fromVariables: boolean[] = []
  trace.nodes.forEach((node, i) => (fromVariables[i] = node.kind === 'variable' || node.inputs.some((k) => fromVariables[k])))
  const variables = trace.gradients.flatMap((g, k) => (chosen.has(g.node) ? [{ g, check: trace.checks[k]! }] : []))
  const intermediates = [...chosen]
    .filter((node) => trace.nodes[node]!.kind === 'op')
    .map((node) => {
      const value = trace.nodes[node]!.value!
      // A node the output does not depend on has gradient 0; one computed from constants alone carries none.
      if (!fromVariables[node])
        throw new InputError(`--wrt ${trace.nodes[node]!.label}: it is computed from constants alone, so the backward pass gives it no gradient`)
      return { name: trace.nodes[node]!.label, node, grad: trace.grads[node] ?? tensor(value.shape) }
    })
  // A name a loop assigns at every step stands for its last value: said, with how to name a step.
  const steps = names.flatMap((name) => {
    const assigned = trace.nodes.filter((n) => n.assigned === name && n.label !== name)
    const node = trace.nodes[wrtTensorNode(trace, name)!]!
    return assigned.length > 1
      ? [
          `--wrt ${name}: ${name} is assigned ${assigned.length} times (${assigned[0]!.label} to ${assigned[assigned.length - 1]!.label}); this is its last value, ${node.label}; another is named by its step, as --wrt ${assigned[assigned.length - 2]!.label}`,
        ]
      : []
  })
  return {
    ...trace,
    notes: [...steps, ...trace.notes],
    edges: trace.edges.filter((edge) => reaches[edge.input]),
    gradients: [...variables.map((v) => v.g), ...intermediates],
    checks: [...variables.map((v) => v.check), ...checkGradients(trace, intermediates)],
  }
}
