// The 10,000-operation chain traced inside one process, from the built library (dist/index.js):
// the median of several runs after one to warm up, as bench/torch-chain.py times PyTorch.
// Prints JSON: seconds for the whole trace (parse, graph, values, gradients, chains and the
// finite-difference check) and for its parts. Usage: node bench/in-process.mjs [OPS] [RUNS]
import { bindProgram, trace, traceProgram } from '../dist/index.js'
import { GENERATORS } from './generators.mjs'

const ops = Number(process.argv[2] ?? 10_000)
const runs = Number(process.argv[3] ?? 9)
const { program, bindings } = GENERATORS.chain(ops)

function median(work) {
  work()
  const walls = []
  for (let k = 0; k < runs; k++) {
    const start = performance.now()
    work()
    walls.push((performance.now() - start) / 1000)
  }
  walls.sort((a, b) => a - b)
  return walls[Math.floor(walls.length / 2)]
}

const bound = bindProgram(program, bindings)
const result = {
  whole: median(() => traceProgram(program, bindings)),
  parse: median(() => bindProgram(program, bindings)),
  // Values and gradients alone, what an autograd engine does: no chains, no check.
  backprop: median(() => trace(bound.graph, bound.values, { chains: false, checks: false })),
}
process.stdout.write(`${JSON.stringify(result)}\n`)
