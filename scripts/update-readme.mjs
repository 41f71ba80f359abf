// Regenerates the README's samples, and the pictures it shows, from the built tool
// (npm run readme). test/readme.test.ts fails when any copy is stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { block, functionsBlock, loadSamples, root, sampleOutput, tensorFunctionsBlock } from './readme-samples.mjs'

let text = readFileSync(join(root, 'README.md'), 'utf8')
for (const sample of await loadSamples()) {
  const output = sampleOutput(sample)
  if (sample.file) {
    const path = join(root, sample.file)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, output)
    continue
  }
  const start = `<!-- ${sample.marker}:start -->`
  const end = `<!-- ${sample.marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < 0) throw new Error(`README.md lacks the ${start} … ${end} markers`)
  text = `${text.slice(0, from)}${block(sample.marker, sample.fence, output)}${text.slice(to + end.length)}`
}
const functions = await functionsBlock()
text = text.replace(/<!-- functions:start -->[\s\S]*?<!-- functions:end -->/, functions)
const tensorFunctions = await tensorFunctionsBlock()
text = text.replace(/<!-- tensor-functions:start -->[\s\S]*?<!-- tensor-functions:end -->/, tensorFunctions)
writeFileSync(join(root, 'README.md'), text)
