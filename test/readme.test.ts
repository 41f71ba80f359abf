// The README shows real output: regenerate it with `npm run readme` when this fails.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { runCli } from './helpers.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const samples = JSON.parse(readFileSync(new URL('../scripts/readme-samples.json', import.meta.url), 'utf8')) as {
  marker?: string
  file?: string
  args: string[]
  head?: number
  fence?: string
}[]

async function output(args: string[]): Promise<string> {
  const { code, stdout } = await runCli(args)
  expect(code).toBe(0)
  return stdout
}

describe('README', () => {
  it.each(samples.filter((s) => s.marker))('shows the current output of $marker', async ({ marker, args, head, fence }) => {
    const stdout = await output(args)
    const expected = head ? `${stdout.split('\n').slice(0, head).join('\n')}\n  …\n` : stdout
    const block = new RegExp(`<!-- ${marker}:start -->\\n\`\`\`${fence ?? 'text'}\\n([\\s\\S]*?)\`\`\`\\n<!-- ${marker}:end -->`).exec(readme)
    expect(block, `README.md lacks the ${marker} block`).not.toBeNull()
    expect(block![1]).toBe(expected)
  })

  it.each(samples.filter((s) => s.file))('shows the current $file', async ({ file, args }) => {
    expect(readme).toContain(`](${file})`)
    expect(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')).toBe(await output(args))
  })

  it('has a Quick start of exactly the two commands that work on a fresh machine', () => {
    const quick = /## Quick start\n+```sh\n([\s\S]*?)```/.exec(readme)
    expect(quick![1]!.trim().split('\n')).toEqual(['npm install && npx backprop-tutor "(x*w+b-y)^2" --x 1 --w 1', 'npm install && npm test'])
  })
})
