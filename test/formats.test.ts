// Notes and pictures, checked by real parsers: KaTeX for every LaTeX string, markdown-it for the
// Markdown, the WebAssembly Graphviz for DOT, an XML parser for SVG.
import { describe, expect, it } from 'vitest'
import katex from 'katex'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'
import MarkdownIt from 'markdown-it'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { traceProgram } from '../src/pipeline.js'
import { FORMATS, type FormatName, type RenderOptions } from '../src/render/index.js'
import { graphviz } from '../src/render/graphviz.js'
import { graphDirection } from '../src/render/layout.js'
import { latexName } from '../src/render/tex.js'
import { OPS, type OpId } from '../src/ops.js'
import { runCli } from './helpers.js'
import { OP_ROWS } from './op-rows.js'

const OPTIONS: RenderOptions = { precision: 6, ascii: false, explain: false }
const TANH_NET = 'h1 = tanh(w11*x1 + w12*x2 + b1)\nh2 = tanh(w21*x1 + w22*x2 + b2)\nyhat = v1*h1 + v2*h2 + c\nloss = (yhat - y)^2'

/** Every operator and function, named intermediates, reassignment, unbound variables, flags. */
const CORPUS: [string, Record<string, number>][] = [
  ['(x*w+b-y)^2', { x: 1, w: 1, b: 0, y: 2 }],
  ['(x*w+b-y)^2', { x: 1, w: 1 }],
  ['yhat = x*w + b; loss = (yhat - y)^2', { x: 1, w: 1 }],
  [TANH_NET, { x1: 0.5, x2: -1, w11: 0.3, w12: -0.2, w21: 0.8, w22: 0.1, b1: 0, b2: 0.1, v1: 1.5, v2: -0.7, c: 0.2, y: 1 }],
  ['x/y - -x + x^y + pow(x, 3) + exp(x) + log(x) + log(x, y) + log2(x) + log10(y)', { x: 2, y: 3 }],
  ['sqrt(x) + cbrt(y) + abs(x - y) + sin(x) + cos(y) + tan(x)', { x: 0.5, y: 2 }],
  ['asin(x) + acos(x) + atan(y) + sinh(x) + cosh(y) + tanh(x)', { x: 0.5, y: 2 }],
  ['sigmoid(x) + relu(y) + softplus(x) + max(x, y) + min(x, y)', { x: 0.5, y: 0 }],
  ['theta_1 = alpha*x1 + beta; y_hat = sigmoid(theta_1); c = y_hat; c = c*c + pi*e', { alpha: 2, x1: 0.1 }],
  ['relu(x) + sqrt(x) + max(x, x)', { x: 0 }],
  ['log(x - 2)*w', { x: 1, w: 3 }],
  ['x*x*x', { x: 1e-9 }],
  ['a*1e21 + b*1.5e-7', {}],
  // And every op's own row, so a new op's LaTeX is rendered without a line added here.
  ...OP_ROWS.map((row) => [row.program, row.bindings] as [string, Record<string, number>]),
]

/** Each program of the corpus, plain and with --explain. */
const WITH_AND_WITHOUT_EXPLAIN = CORPUS.flatMap(([source, bindings]) => [false, true].map((explain) => [source, bindings, explain] as const))

async function render(format: FormatName, source: string, bindings: Record<string, number>, options: Partial<RenderOptions> = {}) {
  return FORMATS[format].render(traceProgram(source, bindings).trace, { ...OPTIONS, ...options })
}

function katexRender(tex: string, displayMode: boolean) {
  katex.renderToString(tex, { throwOnError: true, displayMode, strict: 'error' })
}

/** Inline $…$ spans of a line (no $$). */
const inlineMath = (text: string) => [...text.matchAll(/(?<!\$)\$(?!\$)([^$\n]+?)\$(?!\$)/g)].map((m) => m[1]!)

describe('every LaTeX string renders in KaTeX', () => {
  it('the corpus computes with every op, so the LaTeX template of each op and of its local derivatives is rendered', () => {
    const used = new Set(CORPUS.flatMap(([source, bindings]) => traceProgram(source, bindings).trace.nodes.flatMap((node) => (node.op ? [node.op] : []))))
    // sign, step and ge appear only inside local derivatives: abs, relu, max and min bring them.
    const reachable = Object.keys(OPS).filter((id) => !['sign', 'step', 'ge'].includes(id))
    expect(reachable.filter((id) => !used.has(id as OpId))).toEqual([])
  })

  it.each(WITH_AND_WITHOUT_EXPLAIN)('latex: %s (explain: %s)', async (source, bindings, explain) => {
    const text = await render('latex', source, bindings, { explain })
    const blocks = [...text.matchAll(/\\begin\{align\*\}[\s\S]*?\\end\{align\*\}/g)].map((m) => m[0])
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    for (const block of blocks) katexRender(block, true)
    const prose = text.replace(/\\begin\{align\*\}[\s\S]*?\\end\{align\*\}/g, '')
    for (const math of inlineMath(prose)) katexRender(math, false)
  })

  it.each(WITH_AND_WITHOUT_EXPLAIN)('markdown: %s (explain: %s)', async (source, bindings, explain) => {
    const text = await render('markdown', source, bindings, { explain })
    const blocks = [...text.matchAll(/\$\$\n([\s\S]*?)\n\$\$/g)].map((m) => m[1]!)
    expect(blocks.length).toBeGreaterThanOrEqual(1)
    for (const block of blocks) katexRender(block, true)
    const rest = text.replace(/\$\$\n[\s\S]*?\n\$\$/g, '')
    const spans = inlineMath(rest)
    expect(spans.length).toBeGreaterThan(5)
    for (const math of spans) katexRender(math, false)
  })

  it('writes names the way they are written by hand', () => {
    expect(['yhat', 'y_hat', 'w1', 'w_1', 'theta', 'θ', 'theta_1', 'loss', 'c#2', 'x_ab', 't12'].map(latexName)).toEqual([
      '\\hat{y}',
      '\\hat{y}',
      'w_{1}',
      'w_{1}',
      '\\theta',
      '\\theta',
      '\\theta_{1}',
      '\\mathrm{loss}',
      '{c}^{(2)}',
      'x_{\\mathrm{ab}}',
      't_{12}',
    ])
  })

  it('writes names with letters past ASCII as text, which pdflatex typesets, and ℓ as \\ell', () => {
    expect(['é', 'x_é', 'ℓ', 'loss'].map(latexName)).toEqual(['\\text{é}', '\\text{x\\_é}', '\\ell', '\\mathrm{loss}'])
    for (const name of ['é', 'x_é', 'ℓ']) katexRender(latexName(name), false)
  })

  it('makes a whole document with --standalone', async () => {
    const text = await render('latex', 'x*y', { x: 1, y: 2 }, { standalone: true })
    expect(text.startsWith('\\documentclass{article}\n\\usepackage{amsmath}\n\\allowdisplaybreaks\n\\begin{document}\n')).toBe(true)
    expect(text.endsWith('\\end{document}\n')).toBe(true)
  })
})

describe('Markdown parses into the tables it should', () => {
  const md = new MarkdownIt()
  /** Tables as rows of cell texts. */
  function tables(text: string): string[][][] {
    const result: string[][][] = []
    let row: string[] | undefined
    for (const token of md.parse(text, {})) {
      if (token.type === 'table_open') result.push([])
      else if (token.type === 'tr_open') row = []
      else if (token.type === 'tr_close') {
        result.at(-1)!.push(row!)
        row = undefined
      } else if (token.type === 'inline' && row) row.push(token.content)
    }
    return result
  }

  it('has the forward, local, backward and gradient tables with the right rows', async () => {
    const source = '(x*w+b-y)^2'
    const bindings = { x: 1, w: 1, b: 0, y: 2 }
    const { trace } = traceProgram(source, bindings)
    const found = tables(await render('markdown', source, bindings))
    expect(found).toHaveLength(4)
    const [forward, locals, backward, gradients] = found as [string[][], string[][], string[][], string[][]]
    for (const table of found) for (const r of table) expect(r).toHaveLength(4)
    expect(forward.length - 1).toBe(trace.nodes.filter((n) => n.kind !== 'constant').length)
    expect(locals.length - 1).toBe(trace.edges.length)
    expect(backward.length - 1).toBe(trace.backward.length + 1)
    expect(gradients.slice(1).map((r) => [r[0], r[1], r[3]])).toEqual([
      ['$x$', '$-2$', 'agrees'],
      ['$w$', '$-2$', 'agrees'],
      ['$b$', '$-2$', 'agrees'],
      ['$y$', '$2$', 'agrees'],
    ])
  })

  it('holds the graph as a mermaid block', async () => {
    const tokens = md.parse(await render('markdown', 'x*x', { x: 2 }), {})
    const fence = tokens.find((t) => t.type === 'fence')!
    expect(fence.info).toBe('mermaid')
    expect(fence.content).toMatch(/^flowchart (LR|TD)\n/)
  })
})

describe('graphs', () => {
  it.each(CORPUS)('dot renders in Graphviz: %s', async (source, bindings) => {
    const dot = (await render('dot', source, bindings)) as string
    const result = (await graphviz()) as unknown as {
      render(dot: string, o: { format: string }): { status: string; errors: { level: string; message: string }[] }
    }
    const rendered = result.render(dot, { format: 'svg' })
    expect(rendered.errors.filter((e) => e.level === 'error')).toEqual([])
    expect(rendered.status).toBe('success')
  })

  it.each(CORPUS)('svg is well-formed XML with one node per trace node: %s', async (source, bindings) => {
    const svg = (await render('svg', source, bindings)) as string
    expect(XMLValidator.validate(svg)).toBe(true)
    const { trace } = traceProgram(source, bindings)
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'g' }).parse(svg)
    const groups: { '@_class'?: string }[] = doc.svg.g[0].g
    expect(groups.filter((g) => g['@_class'] === 'node')).toHaveLength(trace.nodes.length)
    expect(groups.filter((g) => g['@_class'] === 'edge')).toHaveLength(trace.nodes.reduce((n, node) => n + node.inputs.length, 0))
  })

  // Mermaid's parsers need a browser DOM or Node 22, so the flowchart's structure is checked here.
  it.each(CORPUS)('mermaid is a well-formed flowchart: %s', async (source, bindings) => {
    const text = (await render('mermaid', source, bindings)) as string
    const { trace } = traceProgram(source, bindings)
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^flowchart (LR|TD)$/)
    const declared = new Set<string>()
    let edges = 0
    for (const line of lines.slice(1)) {
      const node = /^ {2}(n\d+)\["([^"]*)"\]$/.exec(line)
      const edge = /^ {2}(n\d+) (?:-->\|"([^"]*)"\||-\.->) (n\d+)$/.exec(line)
      const style = /^ {2}(classDef \w+ [\w:#,]+|class (n\d+,)*n\d+ \w+)$/.test(line)
      expect(node || edge || style, line).toBeTruthy()
      if (node) declared.add(node[1]!)
      if (edge) {
        expect(declared.has(edge[1]!) && declared.has(edge[3]!), line).toBe(true)
        edges++
      }
    }
    expect(declared.size).toBe(trace.nodes.length)
    expect(edges).toBe(trace.nodes.reduce((n, node) => n + node.inputs.length, 0))
  })
})

describe('golden files for the mission example', () => {
  const formats: [FormatName, string][] = [
    ['markdown', 'md'],
    ['latex', 'tex'],
    ['dot', 'dot'],
    ['mermaid', 'mmd'],
    ['svg', 'svg'],
  ]
  it.each(formats)('%s', async (format, extension) => {
    const argv = ['(x*w+b-y)^2', '--x', '1', '--w', '1', '--format', format]
    const { code, stdout } = await runCli(argv)
    expect(code).toBe(0)
    await expect(stdout).toMatchFileSnapshot(`golden/mission-symbolic.${extension}`)
    expect((await runCli(argv)).stdout).toBe(stdout)
  })
})

describe('Markdown on GitHub: the GFM pass first, then the math', () => {
  // GitHub reads Markdown (backslash escapes included) before its math renderer sees $…$; a GFM
  // parser followed by KaTeX does the same here.
  const decode = (html: string) =>
    html
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')

  it.each([
    ['loss = (learning_rate*w_1_2 - y)^2', { learning_rate: 0.1, w_1_2: 2, y: 1 }, ['learning_rate', 'w_1_2']],
    ['y_hat = sigmoid(theta_1*x); loss = -log(y_hat)', { theta_1: 0.3, x: 2 }, []],
  ] as const)('keeps snake_case names whole: %s', async (source, bindings, names) => {
    const text = await render('markdown', source, bindings)
    const html = micromark(text, { extensions: [gfm()], htmlExtensions: [gfmHtml()] })
    const spans = [...decode(html.replace(/<[^>]+>/g, '')).matchAll(/(?<!\$)\$(?!\$)([^$\n]+?)\$(?!\$)/g)].map((m) => m[1]!)
    expect(spans.length).toBeGreaterThan(5)
    let rendered = ''
    for (const span of spans) rendered += katex.renderToString(span, { throwOnError: true, strict: 'error' })
    // The names reach the reader whole, an underscore between their parts, not as subscripts.
    for (const name of names) expect(rendered.replace(/<[^>]+>/g, '')).toContain(name)
  })
})

describe('graphs of big programs', () => {
  it('chooses the direction of a graph of 300,000 nodes without spreading them into one call', () => {
    // A chain: 150,000 ranks of two nodes each, drawn top to bottom.
    const nodes = Array.from({ length: 300_000 }, (_, i) => ({ inputs: i < 2 ? [] : [i - 2, i - 1] }))
    expect(graphDirection(nodes)).toBe('TB')
    // A sum of 150,000 leaves: one rank of leaves wider than the sums are deep.
    const wide = Array.from({ length: 150_000 }, () => ({ inputs: [] as number[] })).concat([{ inputs: Array.from({ length: 150_000 }, (_, i) => i) }])
    expect(graphDirection(wide)).toBe('LR')
  })

  it('writes DOT in pieces that join to the whole graph, each input with its own edge', () => {
    const { trace } = traceProgram('a = x*c; b = a + c*2; L = b*x + a', { x: 2 })
    const text = FORMATS.dot.render(trace, OPTIONS) as string
    expect([...FORMATS.dot.chunks(trace, OPTIONS)].join('')).toBe(text)
    // Every input of every node is one line: with a local derivative where it depends on x, dashed where not (c).
    const arrows = text.split('\n').filter((line) => line.includes(' -> '))
    expect(arrows).toHaveLength(trace.nodes.reduce((sum, node) => sum + node.inputs.length, 0))
    for (const edge of trace.edges) expect(text).toContain(`n${edge.from} -> n${edge.to} [label=`)
    expect(arrows.filter((line) => line.includes('style=dashed'))).toHaveLength(arrows.length - trace.edges.length)
  })
})

describe('Mermaid limits', () => {
  const WIDE = Array.from({ length: 300 }, (_, k) => `x${k}*w${k}`).join(' + ')

  it('refuses a graph Mermaid would not draw (past 500 edges), naming the limit and what draws it', async () => {
    const result = await runCli([WIDE, '--format', 'mermaid'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'the graph is too large for Mermaid (1198 edges; Mermaid draws at most 500 by default (maxEdges)); --format dot or svg draws it',
    )
  })

  it('keeps a note whole and says why its graph is not drawn', async () => {
    const result = await runCli([WIDE, '--format', 'markdown'])
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain('```mermaid')
    expect(result.stdout).toContain('*Not drawn here: 1198 edges; Mermaid draws at most 500 by default (maxEdges); `--format dot` or `svg` draws it.*')
  })
})

describe('graph direction', () => {
  const aspect = (svg: string) => {
    const [, , width, height] = /viewBox="([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)"/.exec(svg)!.slice(1).map(Number) as [number, number, number, number]
    return width / height
  }
  it('draws the mission example top to bottom, near a page’s proportions, and left to right when asked', async () => {
    const tb = await runCli(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--format', 'svg'])
    // Left to right the same boxes make a strip 8 times as wide as it is tall.
    expect(aspect(tb.stdout)).toBeGreaterThan(1)
    expect(aspect(tb.stdout)).toBeLessThan(2.5)
    const lr = await runCli(['(x*w+b-y)^2', '--x', '1', '--w', '1', '--format', 'svg', '--rankdir', 'LR'])
    expect(aspect(lr.stdout)).toBeGreaterThan(5)
    expect((await runCli(['x*w', '--x', '1', '--w', '2', '--format', 'mermaid', '--rankdir', 'lr'])).stdout.startsWith('flowchart LR\n')).toBe(true)
    const bad = await runCli(['x*w', '--x', '1', '--w', '2', '--format', 'dot', '--rankdir', 'up'])
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([2, 'backprop-tutor: error: --rankdir up: expected LR (left to right) or TB (top to bottom)'])
  })

  it('writes the numbers in a graph with 4 digits unless --precision says otherwise', async () => {
    const short = (await runCli(['tanh(x)', '--x', '0.5', '--format', 'dot'])).stdout
    expect(short).toContain('value 0.4621')
    const long = (await runCli(['tanh(x)', '--x', '0.5', '--format', 'dot', '--precision', '8'])).stdout
    expect(long).toContain('value 0.46211716')
  })
})
