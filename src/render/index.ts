// The registry of output formats: one renderer per format, each reading only the Trace.
import type { Colors } from '../steps/colors.js'
import type { Direction } from './layout.js'
import type { Trace } from '../trace.js'
import { jsonChunks, renderJson } from './json.js'
import { renderTable, tableChunks } from './table.js'
import { markdownTooLarge, renderMarkdown } from './markdown.js'
import { latexTooLarge, renderLatex } from './latex.js'
import { dotChunks, renderDot } from './dot.js'
import { mermaidFormatTooLarge, renderMermaidFormat } from './mermaid.js'
import { renderSvg, svgTooLarge } from './svg.js'
import { htmlTooLarge, renderHtml } from './html.js'
import type { Differentiation, ForwardMode } from '../modes/forward.js'
import type { Question } from '../modes/quiz.js'
import type { EntryChain } from '../tensor/entry.js'
import type { TensorForwardMode } from '../tensor/forward.js'
import type { TensorTraining } from '../tensor/train.js'
import type { TensorQuestion } from '../tensor/quiz.js'
import type { TensorEdge } from '../tensor/trace.js'
import type { TooLarge } from './shared.js'

export interface RenderOptions {
  /** Significant digits for numbers. */
  precision: number
  /** d instead of ∂, * instead of ·, ^2 instead of ². */
  ascii: boolean
  /** One plain sentence per step. */
  explain: boolean
  /** Limit the backward sections to chains that reach these variables. */
  wrt?: string[]
  /** Color for the terminal view; level 0 means none. */
  chalk?: Colors
  /** latex: a whole document rather than a fragment. */
  standalone?: boolean
  /** Reverse mode (the default), forward mode instead, or both with what each costs. */
  mode?: Differentiation
  /**
   * The tangent passes that mode forward or both prints, made before any face runs (the faces
   * print, never compute): forwardFor(trace, options) from modes/forward.ts.
   */
  forward?: ForwardMode
  /** With --lr: one summary table rather than a table per step. */
  summary?: boolean
  /** html: ask each step before it is shown. */
  quiz?: boolean
  /** html with --quiz: the quiz's questions, made before the page (modes/quiz.ts), each asked at its step. */
  questions?: Question[]
  /** Chains listed: every path, while few and short (the default), or none. */
  chains?: 'all' | 'short' | 'none'
  /** Columns the terminal view folds its prose and tables at (default 80); never the terminal's own. */
  width?: number
  /** Graphs: left to right or top to bottom; by default whichever is closer to a page's proportions. */
  rankdir?: Direction
}

/** The scalar faces' options, --entry's chain and an --lr run: what every face of a tensor trace reads. */
export type TensorRenderOptions = Omit<RenderOptions, 'forward' | 'questions'> & {
  /** html with --quiz: the tensor quiz's questions (tensor/quiz.ts). */
  questions?: TensorQuestion[]
  /** html: the entries of small matrix-product and convolution gradients, each with its chain (tensor/entry.ts productEntries). */
  entries?: Map<TensorEdge, EntryChain[]>
  entry?: EntryChain
  training?: TensorTraining
  forward?: TensorForwardMode
}

export interface Format {
  description: string
  /** Why a program is too big for the format, checked on its graph before the trace (notes and pictures). */
  tooLarge?: TooLarge
  render: (trace: Trace, options: RenderOptions) => string | Promise<string>
  /** The same text in pieces, written as they are made (big outputs; see json.ts and table.ts). */
  chunks?: (trace: Trace, options: RenderOptions) => Iterable<string>
}

export const FORMATS = {
  table: { description: 'step-by-step tables for the terminal (default)', render: renderTable, chunks: tableChunks },
  json: {
    description: 'one JSON object with the whole trace, for tools',
    render: (trace: Trace, options: RenderOptions) => renderJson(trace, undefined, options.forward),
    chunks: (trace: Trace, options: RenderOptions) => jsonChunks(trace, undefined, options.forward),
  },
  markdown: { description: 'Markdown tables, LaTeX math and a mermaid graph, for notes', render: renderMarkdown, tooLarge: markdownTooLarge },
  latex: { description: 'LaTeX align* blocks in hand-written notation (--standalone for a document)', render: renderLatex, tooLarge: latexTooLarge },
  dot: { description: 'the computational graph for Graphviz', render: renderDot, chunks: dotChunks },
  mermaid: { description: 'the computational graph as a Mermaid flowchart', render: renderMermaidFormat, tooLarge: mermaidFormatTooLarge },
  svg: { description: 'the computational graph drawn as SVG (Graphviz in WebAssembly)', render: renderSvg, tooLarge: svgTooLarge },
  html: {
    description: 'one self-contained page that steps through the trace beside the graph (--quiz asks each step)',
    render: renderHtml,
    tooLarge: htmlTooLarge,
  },
} satisfies Record<string, Format>

export type FormatName = keyof typeof FORMATS
export const isFormatName = (name: string): name is FormatName => Object.hasOwn(FORMATS, name)
