// The benchmark's generators make what they claim, and big programs finish; timings stay in npm run bench.
import { describe, expect, it } from 'vitest'
// @ts-expect-error: plain JavaScript module shared with bench/run.mjs
import { GENERATORS, baselineProgram } from '../bench/generators.mjs'
import { traceProgram } from '../src/pipeline.js'

type Generated = { program: string; bindings: Record<string, number> }
const generators = GENERATORS as Record<string, (ops: number) => Generated>

describe('benchmark generators', () => {
  it.each(Object.keys(generators))('%s makes about the operations asked for, all bound', (name) => {
    const { program, bindings } = generators[name]!(2_000)
    const { trace } = traceProgram(program, bindings)
    const operations = trace.nodes.filter((n) => n.kind === 'op' && n.op !== 'identity').length
    expect(operations).toBeGreaterThanOrEqual(1_950)
    expect(operations).toBeLessThanOrEqual(2_050)
    expect(trace.unbound).toEqual([])
  })

  it('makes a 100,000-operation program that traces, with every gradient a number', () => {
    const { program, bindings } = generators['deep-fan-out']!(100_000)
    const { trace } = traceProgram(program, bindings)
    expect(trace.nodes.filter((n) => n.kind === 'op').length).toBeGreaterThanOrEqual(99_000)
    expect(typeof trace.gradients[0]!.grad).toBe('number')
    // 3^33333 paths: counted, not listed.
    expect(trace.chains[0]!.paths).toBeUndefined()
    expect(trace.chains[0]!.count).toBe(Infinity)
  })

  it('makes the baseline a single expression over 50 variables', () => {
    const { program, bindings } = (baselineProgram as (ops: number) => Generated)(2_000)
    expect(program).not.toMatch(/[;\n=]/)
    expect(Object.keys(bindings)).toHaveLength(50)
  })
})
