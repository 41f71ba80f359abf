// A tensor program's values: --W "[[1, 2], [3, 4]]", "[1, 2; 3, 4]", "randn(3, 2) / 2" (a constant
// expression, read by the program parser), or @file.csv / @file.json. CSV: one row per line, fields
// split at commas (or at spaces when a line has none), blank lines and lines starting with # skipped,
// a first line that is not numbers taken as a header; a single row or column is a vector (NumPy's
// loadtxt reads it so).
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { buildTensorGraph } from './graph.js'
import { checkRank, tensor, type Tensor } from './tensor.js'

export interface ReadValue {
  value: Tensor
  /** Where it came from, for the trace's header: "x.csv", "randn(3, 2) / 2". */
  from: string
}

/** Reads one binding's value; `readFile` reads a file's text up to a limit (the CLI's Io). */
export async function readValue(name: string, raw: string, seed: number, readFile: (path: string) => Promise<string>): Promise<ReadValue> {
  const text = raw.trim()
  if (text.startsWith('@')) {
    const path = text.slice(1)
    if (path === '') throw new InputError(`--${name} @: give a file after the @, as in --${name} @data.csv`)
    const content = await readFile(path)
    const value = /\.json$/i.test(path) ? fromJson(content, path) : fromCsv(content, path)
    checkRank(value.shape, path)
    return { value, from: path }
  }
  if (text === '') throw new InputError(`--${name}: the value is empty`)
  const graph = buildTensorGraph(text, { seed, constantsOnly: `--${name} ${text}` })
  const node = graph.nodes[graph.output]!
  if (node.kind !== 'constant') throw new InputError(`--${name} ${text}: a value is a constant expression`)
  const value = node.value!
  for (const x of value.data) if (!Number.isFinite(x)) throw new InputError(`--${name} ${text}: the value holds ${x}, not a finite number`)
  return { value, from: text }
}

function fromJson(content: string, path: string): Tensor {
  let data: unknown
  try {
    data = JSON.parse(content.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`)
  }
  const bad = (why: string): never => {
    throw new InputError(`${path}: ${why}; a value is a number, an array of numbers or an array of equal-length arrays of numbers`)
  }
  const finite = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : bad(`${JSON.stringify(x)?.slice(0, 40)} is not a finite number`))
  if (typeof data === 'number') return tensor([], [finite(data)])
  if (!Array.isArray(data) || data.length === 0) return bad('it is not a number or a non-empty array')
  if (!Array.isArray(data[0])) return tensor([data.length], data.map(finite))
  const cols = (data[0] as unknown[]).length
  const values: number[] = []
  data.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) bad(`row ${i + 1} has ${Array.isArray(row) ? row.length : 'no'} entries where row 1 has ${cols}`)
    for (const x of row as unknown[]) values.push(finite(x))
  })
  if (cols === 0) bad('its rows are empty')
  return tensor([data.length, cols], values)
}

function fromCsv(content: string, path: string): Tensor {
  const lines = content.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  const rows: number[][] = []
  let width = -1
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields = line.includes(',') ? line.split(',').map((f) => f.trim()) : line.split(/\s+/)
    const numbers = fields.map((f) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(f) ? Number(f) : NaN))
    const bad = numbers.findIndex((x) => !Number.isFinite(x))
    if (bad >= 0) {
      if (rows.length === 0 && width < 0) {
        width = fields.length
        continue
      }
      throw new InputError(`${path}, line ${l + 1}, field ${bad + 1}: "${fields[bad]!.slice(0, 40)}" is not a number`)
    }
    if (width >= 0 && fields.length !== width) throw new InputError(`${path}, line ${l + 1}: ${fields.length} fields where the first row has ${width}`)
    width = fields.length
    rows.push(numbers)
    if (rows.length * width > LIMITS.maxTensorEntries)
      throw new InputError(`${path}: more than ${LIMITS.maxTensorEntries} numbers; the tutor's limit per tensor`)
  }
  if (rows.length === 0) throw new InputError(`${path}: no numbers in the file`)
  const flat = rows.flat()
  return rows.length === 1 || width === 1 ? tensor([flat.length], flat) : tensor([rows.length, width], flat)
}
