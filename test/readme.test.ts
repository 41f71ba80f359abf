// The README shows real output: regenerate it with `npm run readme` when this fails.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import MarkdownIt from 'markdown-it'
// @ts-expect-error: a plain .mjs script shared with `npm run readme`, without type declarations
import { block, functionsBlock, loadSamples, sampleOutput, tensorFunctionsBlock } from '../scripts/readme-samples.mjs'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const samples = (await loadSamples()) as { marker?: string; file?: string; args: string[]; fence?: string }[]

describe('README', () => {
  it.each(samples.filter((s) => s.marker))('shows the current output of $marker', (sample) => {
    expect(readme).toContain(`<!-- ${sample.marker}:start -->`)
    expect(readme).toContain(block(sample.marker, sample.fence, sampleOutput(sample)))
  })

  it.each(samples.filter((s) => s.file))('shows the current $file', (sample) => {
    expect(readme).toContain(`](${sample.file})`)
    expect(readFileSync(new URL(`../${sample.file}`, import.meta.url), 'utf8')).toBe(sampleOutput(sample))
  })

  it('lists the functions of the op table', async () => {
    expect(readme).toContain(await functionsBlock())
    expect(readme).toContain(await tensorFunctionsBlock())
  })

  it('renders as one document: no sample fence closes early (markdown-it)', () => {
    const tokens = new MarkdownIt().parse(readme, {})
    const headings = tokens.flatMap((t, k) => (t.type === 'heading_open' && t.tag === 'h2' ? [tokens[k + 1]!.content] : []))
    // The markdown sample holds its own ## headings and a mermaid fence: none may escape its block.
    expect(headings).toEqual([
      'Quick start',
      'Usage',
      'Notes and pictures',
      'Vectors and matrices',
      'Modes that teach',
      'JSON',
      'As a library',
      'Limits',
      'Performance',
      'Packaging',
      'Development',
    ])
  })

  it('has a Quick start of exactly the two commands that work on a fresh machine', () => {
    const quick = /## Quick start\n+```sh\n([\s\S]*?)```/.exec(readme)
    expect(quick![1]!.trim().split('\n')).toEqual(['npm install && npx backprop-tutor "(x*w+b-y)^2" --x 1 --w 1', 'npm install && npm test'])
  })
})
