// Regenerates the README's sample output from the built tool (npm run readme).
// test/readme.test.ts fails when the README's copy is stale.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

const samples = JSON.parse(readFileSync(new URL('./readme-samples.json', import.meta.url), 'utf8'))

const readme = new URL('../README.md', import.meta.url)
const bin = new URL('../bin/backprop-tutor.cjs', import.meta.url).pathname
let text = readFileSync(readme, 'utf8')
for (const sample of samples) {
  const env = { ...process.env, NO_COLOR: '1' }
  delete env.FORCE_COLOR
  let output = execFileSync(process.execPath, [bin, ...sample.args], { encoding: 'utf8', env })
  if (sample.head) output = `${output.split('\n').slice(0, sample.head).join('\n')}\n  …\n`
  const start = `<!-- ${sample.marker}:start -->`
  const end = `<!-- ${sample.marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < 0) throw new Error(`README.md lacks the ${start} … ${end} markers`)
  text = `${text.slice(0, from + start.length)}\n\`\`\`text\n${output}\`\`\`\n${text.slice(to)}`
}
writeFileSync(readme, text)
