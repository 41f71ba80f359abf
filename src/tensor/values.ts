// A tensor program's values: --W "[[1, 2], [3, 4]]", "[1, 2; 3, 4]", "randn(3, 2) / 2" (a constant
// expression, read by the program parser), or @file.csv / @file.json. CSV: one row per line, fields
// split at commas (or at spaces when a line has none), blank lines and lines starting with # skipped,
// a first line with no number in it taken as a header (and said so: a first line of data with one
// bad field is an error, never a header); a single row or column is a vector (NumPy's loadtxt reads
// it so).
import { InputError, excerpt } from '../errors.js'
import { LIMITS } from '../limits.js'
import { buildTensorGraph } from './graph.js'
import { checkRank, tensor, type Tensor } from './tensor.js'

export interface ReadValue {
  value: Tensor
  /** Where it came from, for the trace's header: "x.csv", "randn(3, 2) / 2". */
  from: string
  /** A CSV file's first line, taken as a header and skipped: its number and its text. */
  header?: { line: number; text: string }
}

/** Reads one binding's value; `readFile` reads a file's text up to a limit (the CLI's Io). */
export async function readValue(name: string, raw: string, seed: number, readFile: (path: string) => Promise<string>): Promise<ReadValue> {
  const text = raw.trim()
  if (text.startsWith('@')) {
    const path = text.slice(1)
    if (path === '') throw new InputError(`--${name} @: give a file after the @, as in --${name} @data.csv`)
    const content = await readFile(path)
    const { value, header } = /\.json$/i.test(path) ? { value: fromJson(content, path), header: undefined } : fromCsv(content, path)
    checkRank(value.shape, path)
    return { value, from: path, ...(header ? { header } : {}) }
  }
  if (text === '') throw new InputError(`--${name}: the value is empty`)
  const graph = buildTensorGraph(text, { seed, constantsOnly: `--${name} ${text}`, owner: name })
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

/** A CSV field that is written as a number (NaN, Infinity and 1e999 are, though not finite ones). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$/i

function fromCsv(content: string, path: string): { value: Tensor; header?: { line: number; text: string } } {
  const lines = content.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  const rows: number[][] = []
  let width = -1
  let header: { line: number; text: string } | undefined
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields = line.includes(',') ? line.split(',').map((f) => f.trim()) : line.split(/\s+/)
    // Only a first line with no number in it is a header (x,y); 1,NaN or 5,, is data with a bad field.
    if (width < 0 && !header && !fields.some((f) => NUMBER.test(f))) {
      header = { line: l + 1, text: line }
      width = fields.length
      continue
    }
    const bad = fields.findIndex((f) => !NUMBER.test(f) || !Number.isFinite(Number(f)))
    if (bad >= 0) {
      const field = fields[bad]!
      const why = field === '' ? 'is empty' : NUMBER.test(field) ? 'is not a finite number' : 'is not a number'
      throw new InputError(`${path}, line ${l + 1}, field ${bad + 1}: "${excerpt(field)}" ${why}`)
    }
    const numbers = fields.map(Number)
    if (width >= 0 && fields.length !== width)
      throw new InputError(
        `${path}, line ${l + 1}: ${fields.length} fields where the ${rows.length === 0 && header ? `header (line ${header.line})` : 'first row'} has ${width}`,
      )
    width = fields.length
    rows.push(numbers)
    if (rows.length * width > LIMITS.maxTensorEntries)
      throw new InputError(`${path}: more than ${LIMITS.maxTensorEntries} numbers; the tutor's limit per tensor`)
  }
  if (rows.length === 0) throw new InputError(`${path}: no numbers in the file`)
  const flat = rows.flat()
  const value = rows.length === 1 || width === 1 ? tensor([flat.length], flat) : tensor([rows.length, width], flat)
  return { value, ...(header ? { header } : {}) }
}
