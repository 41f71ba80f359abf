// The baseline: what a user would do without backprop-tutor. Full mathjs, one symbolic
// derivative per variable (unsimplified: simplify takes minutes on programs this size), each
// compiled and evaluated at the point. Usage: node bench/mathjs-derivative.mjs FILE --x1 1 …
import { readFileSync } from 'node:fs'
import { derivative, parse } from 'mathjs'

const [file, ...args] = process.argv.slice(2)
const scope = {}
for (let i = 0; i < args.length; i += 2) scope[args[i].replace(/^--/, '')] = Number(args[i + 1])
const expr = parse(readFileSync(file, 'utf8'))
const gradients = {}
for (const name of Object.keys(scope)) gradients[name] = derivative(expr, name, { simplify: false }).compile().evaluate(scope)
process.stdout.write(`${JSON.stringify({ value: expr.compile().evaluate(scope), gradients })}\n`)
