// What the README shows for one sample of readme-samples.json, from the built tool: used by
// `npm run readme` to write it and by test/readme.test.ts to check it is current.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../', import.meta.url))
const bin = fileURLToPath(new URL('../bin/backprop-tutor.cjs', import.meta.url))

/** The samples: marker (README block) or file (a picture), args, and how to excerpt the output. */
export async function loadSamples() {
  return JSON.parse(readFileSync(new URL('./readme-samples.json', import.meta.url), 'utf8'))
}

/**
 * Runs one sample without color from the repository root. `input`: what is piped in (quiz
 * answers); `status`: the expected exit code (check exits 3 on a wrong claim); `from`: start at
 * the first line containing this text; `head` lines, then `tail` lines from the end.
 */
export function sampleOutput(sample) {
  const env = { ...process.env, NO_COLOR: '1' }
  delete env.FORCE_COLOR
  const run = spawnSync(process.execPath, [bin, ...sample.args], { encoding: 'utf8', env, cwd: root, input: sample.input ?? '' })
  if (run.status !== (sample.status ?? 0)) throw new Error(`${sample.args.join(' ')} exited ${run.status}: ${run.stderr}`)
  let output = run.stdout
  if (sample.from) output = output.slice(output.lastIndexOf('\n', output.indexOf(sample.from)) + 1)
  if (sample.head) {
    const lines = output.split('\n')
    const tail = sample.tail ? `${lines.slice(-1 - sample.tail, -1).join('\n')}\n` : ''
    output = `${lines.slice(0, sample.head).join('\n')}\n  …\n${tail}`
  }
  return output
}

/** The README block a sample's output goes in. */
/** A fence longer than any run of backticks inside, so a sample holding a ``` block stays one block. */
const fenceFor = (output) => '`'.repeat(Math.max(3, ...[...output.matchAll(/`{3,}/g)].map((m) => m[0].length + 1)))
export const block = (marker, fence, output) =>
  `<!-- ${marker}:start -->\n${fenceFor(output)}${fence ?? 'text'}\n${output}${fenceFor(output)}\n<!-- ${marker}:end -->`

/**
 * The README's list of the functions a program may call, from the op table itself (the built
 * library), so a new op appears in it by `npm run readme` and a stale list fails the README test.
 */
/** The README's list of tensor functions, from the tensor op table's own phrases. */
export async function tensorFunctionsBlock() {
  const { TENSOR_FUNCTION_DOCS } = await import('../dist/index.js')
  const list = Object.values(TENSOR_FUNCTION_DOCS)
    .map((doc) => `  - ${doc}`)
    .join('\n')
  return `<!-- tensor-functions:start -->\n${list}\n  <!-- tensor-functions:end -->`
}

export async function functionsBlock() {
  const { supportedFunctions } = await import('../dist/index.js')
  const list = supportedFunctions()
    .map((name) => `\`${name}\``)
    .join(', ')
  return `<!-- functions:start -->\n- Functions: ${list}; \`log\` is the natural log unless a base is given.\n  Constants \`pi\` and \`e\`. \`#\` starts a comment.\n<!-- functions:end -->`
}
