// Programs of a given number of operations (one operation = one graph node that is not a leaf),
// in the shapes that stress a backprop tracer. test/bench.test.ts checks the counts.
// Each returns { program, bindings } with every variable bound, so the whole trace is numeric.

const VARIABLES = 50

/** x1 … x50 bound to values in (0.5, 1.5), deterministic. */
function bindings(count) {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`x${i + 1}`, (50 + ((i * 37) % 100)) / 100]))
}

export const GENERATORS = {
  /** A long dependency chain: each statement reads the previous one (2 operations each). */
  chain(ops) {
    const lines = ['a0 = x1']
    for (let i = 1; lines.length * 2 < ops; i++) lines.push(`a${i} = tanh(a${i - 1}) * x${(i % VARIABLES) + 1}`)
    return { program: lines.join('\n'), bindings: bindings(VARIABLES) }
  },
  /** One wide sum of products of the variables: huge fan-out from 50 leaves. */
  'wide-sum'(ops) {
    const terms = Array.from({ length: Math.ceil(ops / 2) }, (_, i) => `x${(i % VARIABLES) + 1}*x${((i * 7) % VARIABLES) + 1}`)
    return { program: terms.join(' + '), bindings: bindings(VARIABLES) }
  },
  /** A balanced binary tree of sums and products over the variables, written with parentheses. */
  'balanced-tree'(ops) {
    let level = Array.from({ length: ops + 1 }, (_, i) => `x${(i % VARIABLES) + 1}`)
    // Each level is named, so the nesting stays shallow however big the tree.
    const lines = []
    let depth = 0
    while (level.length > 1) {
      const next = []
      for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? `(${level[i]} ${depth % 2 ? '*' : '+'} ${level[i + 1]})` : level[i])
      depth++
      if (depth % 4 === 0) {
        next.forEach((expr, i) => lines.push(`l${depth}_${i} = ${expr}`))
        level = next.map((_, i) => `l${depth}_${i}`)
      } else {
        level = next
      }
    }
    lines.push(`L = ${level[0]}`)
    return { program: lines.join('\n'), bindings: bindings(VARIABLES) }
  },
  /** Repeated a = (a*a + a)/2 (3 operations): every statement triples the paths to x1 (deep fan-out). */
  'deep-fan-out'(ops) {
    const lines = ['a0 = x1']
    for (let i = 1; lines.length * 3 < ops; i++) lines.push(`a${i} = (a${i - 1}*a${i - 1} + a${i - 1}) / 2`)
    return { program: lines.join('\n'), bindings: { x1: 0.5 } }
  },
}

/** The command-line arguments that bind `bindings`. */
export function bindingArgs(bindings) {
  return Object.entries(bindings).flatMap(([name, value]) => [`--${name}`, String(value)])
}

/** The baseline comparison: one expression (mathjs derivative takes no statements) of about `ops` operations over 50 variables. */
export function baselineProgram(ops) {
  const terms = []
  for (let i = 0; terms.length * 4 < ops; i++) {
    const a = `x${(i % VARIABLES) + 1}`
    const b = `x${((i * 7 + 3) % VARIABLES) + 1}`
    terms.push(i % 2 ? `tanh(${a}*${b})` : `${a}*sin(${b})`)
  }
  return { program: terms.join(' + '), bindings: bindings(VARIABLES) }
}
