// The training section of the terminal view (--lr): one table per step, then the loss curve.
import { LIMITS } from '../limits.js'
import { PLAIN, type Colors } from '../steps/colors.js'
import { formatNumber } from '../format.js'
import type { Training } from '../modes/train.js'
import { boxTable } from './box.js'
import { DEFAULT_WIDTH, foldLine } from './wrap.js'
import { notation } from '../steps/text.js'
import { mark, type Phrase } from '../steps/cells.js'
import { TRAINING, divergenceText } from '../steps/words.js'

const BARS = '▁▂▃▄▅▆▇█'
const ASCII_BARS = '_.-=+*#@'

/** Runs longer than this print one summary table rather than a table per step (--summary asks for it always). */
const TABLES_UP_TO = 10

export function renderTraining(
  training: Training,
  output: string,
  options: { precision: number; ascii: boolean; chalk?: Colors; summary?: boolean; width?: number },
): string {
  const n = notation(options)
  const c = options.chalk ?? PLAIN
  const out: string[] = ['', c.bold(n.print(TRAINING.title(training.params, training.lr)))]
  out.push(`  ${n.print(TRAINING.rule(output, training.data))}`)
  if (training.everyVariable && training.params.length > 1) out.push(`  ${n.print(TRAINING.everyVariable(training.params))}`)
  const rise = training.firstRise
  const warning = (text: Phrase) => c.yellow(`  ${n.print([mark('warn'), ' ', ...text])}`)
  if (options.summary || training.steps.length > TABLES_UP_TO) {
    out.push('', indent(summaryTable(training, output, options)))
    if (rise) out.push(warning(TRAINING.rise(rise, training.lr)))
  } else {
    for (const step of training.steps) {
      // Once the run has overshot, its tables only repeat the same story: a line per step.
      const compact = rise !== undefined && step.step > rise.step
      out.push(...(compact && step.step > rise.step + 1 ? [] : ['']), `  ${n.print(TRAINING.step(step.step, output, step.loss))}`)
      if (compact) continue
      const rows = training.params.map((name, k) => [
        name,
        formatNumber(step.params[k]!, options.precision),
        formatNumber(step.gradients[k]!, options.precision),
        n.print(TRAINING.update(name, step.params[k]!, training.lr, step.gradients[k]!, step.next[k]!)),
      ])
      out.push(indent(boxTable(TRAINING.columns(output).map(n.print), rows, options.ascii, (options.width ?? DEFAULT_WIDTH) - 2)))
      if (rise && step.step === rise.step) out.push(warning(TRAINING.rise(rise, training.lr)))
    }
  }
  const losses = [...training.steps.map((s) => s.loss), ...(training.finalLoss !== undefined ? [training.finalLoss] : [])]
  if (training.finalLoss !== undefined) {
    const last = training.steps[training.steps.length - 1]!
    const params = training.params.map((name, k): [string, number] => [name, last.next[k]!])
    out.push('', `  ${n.print(TRAINING.after(last.step, params, output, training.finalLoss))}`)
  }
  if (losses.length > 1) {
    const curve = sparkline(losses, options.ascii)
    out.push(`  ${n.print(TRAINING.curve(output, losses[0]!, losses[losses.length - 1]!, curve.bars, curve.log))}`)
  }
  // A loss that rose has been explained where it first rose.
  if (training.divergence && !(rise && training.divergence.code === 'loss-rose')) out.push(warning(divergenceText(training.divergence, output)))
  const width = options.width ?? DEFAULT_WIDTH
  return `${out
    .flatMap((line) => line.split('\n'))
    .flatMap((line) => foldLine(line, width))
    .join('\n')}\n`
}

/**
 * A bar per value (sampled down to LIMITS.sparklineWidth), scaled from the smallest to the largest; on a
 * log scale when the values are positive and span more than a factor of 100, as a falling loss
 * does (on a linear scale everything after its first drop would look flat).
 */
export function sparkline(values: number[], ascii: boolean): { bars: string; log: boolean } {
  const chars = ascii ? ASCII_BARS : BARS
  const count = Math.min(values.length, LIMITS.sparklineWidth)
  const sampled = Array.from({ length: count }, (_, k) => values[count === 1 ? 0 : Math.round((k * (values.length - 1)) / (count - 1))]!)
  const log = Math.min(...sampled) > 0 && Math.max(...sampled) / Math.min(...sampled) > 100
  const scaled = log ? sampled.map(Math.log10) : sampled
  const low = Math.min(...scaled)
  const high = Math.max(...scaled)
  const bars = scaled.map((v) => chars[high === low ? 0 : Math.round(((v - low) / (high - low)) * (chars.length - 1))]).join('')
  return { bars, log }
}

const indent = (text: string) => text.replace(/^/gm, '  ')

/** --summary: one row per step, with each parameter and its gradient. */
function summaryTable(training: Training, output: string, options: { precision: number; ascii: boolean; width?: number }): string {
  const n = notation(options)
  const num = (x: number) => formatNumber(x, options.precision)
  const header = TRAINING.summaryColumns(output, training.params).map(n.print)
  const rows = training.steps.map((step) => [
    String(step.step),
    num(step.loss),
    ...training.params.flatMap((_, k) => [num(step.params[k]!), num(step.gradients[k]!)]),
  ])
  return boxTable(header, rows, options.ascii, (options.width ?? DEFAULT_WIDTH) - 2)
}
