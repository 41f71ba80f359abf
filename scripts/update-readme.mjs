// Regenerates the README's samples, and the pictures it shows, from the built tool
// (npm run readme). test/readme.test.ts fails when any copy is stale.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

const root = new URL('../', import.meta.url)
const samples = JSON.parse(readFileSync(new URL('./readme-samples.json', import.meta.url), 'utf8'))
const bin = new URL('bin/backprop-tutor.cjs', root).pathname
let text = readFileSync(new URL('README.md', root), 'utf8')
for (const sample of samples) {
  const env = { ...process.env, NO_COLOR: '1' }
  delete env.FORCE_COLOR
  let output = execFileSync(process.execPath, [bin, ...sample.args], { encoding: 'utf8', env })
  if (sample.file) {
    const path = new URL(sample.file, root).pathname
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, output)
    continue
  }
  if (sample.head) output = `${output.split('\n').slice(0, sample.head).join('\n')}\n  …\n`
  const start = `<!-- ${sample.marker}:start -->`
  const end = `<!-- ${sample.marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < 0) throw new Error(`README.md lacks the ${start} … ${end} markers`)
  text = `${text.slice(0, from + start.length)}\n\`\`\`${sample.fence ?? 'text'}\n${output}\`\`\`\n${text.slice(to)}`
}
writeFileSync(new URL('README.md', root), text)
