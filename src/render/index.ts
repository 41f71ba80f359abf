// The registry of output formats: one renderer per format, each reading only the Trace.
import type { ChalkInstance } from 'chalk'
import type { Trace } from '../trace.js'
import { renderJson } from './json.js'
import { renderTable } from './table.js'

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
  chalk?: ChalkInstance
}

export interface Format {
  description: string
  render: (trace: Trace, options: RenderOptions) => string
}

export const FORMATS = {
  table: { description: 'step-by-step tables for the terminal (default)', render: renderTable },
  json: { description: 'one JSON object with the whole trace, for tools', render: (trace: Trace, _options: RenderOptions) => renderJson(trace) },
} satisfies Record<string, Format>

export type FormatName = keyof typeof FORMATS
export const isFormatName = (name: string): name is FormatName => Object.hasOwn(FORMATS, name)
