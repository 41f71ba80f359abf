// What the browser builds (the playground page, dist/browser.js) put in place of Node's modules.
// commander, which the command line parses its options with, requires events, process, path, fs and
// child_process at its top; in a page only its parsing runs, which needs an EventEmitter and a
// process with no argv, no environment and no terminal. Graphviz comes from an ES module import
// (src/playground/graphviz.ts) instead of Node's require.
import { fileURLToPath } from 'node:url'

const stubs = {
  events: `export class EventEmitter {
  constructor() { this._events = new Map() }
  on(name, f) { (this._events.get(name) ?? this._events.set(name, []).get(name)).push(f); return this }
  emit(name, ...args) { const fs = this._events.get(name); if (!fs) return false; for (const f of [...fs]) f.apply(this, args); return true }
  listenerCount(name) { return this._events.get(name)?.length ?? 0 }
}
export default { EventEmitter }`,
  process: `const stream = { isTTY: false, write() { return true } }
const process = { argv: [], execArgv: [], env: {}, platform: 'browser', versions: {}, stdout: stream, stderr: stream, exitCode: undefined,
  exit(code) { throw new Error('exit ' + code) }, on() { return process } }
export default process`,
  path: `const base = (p) => p.slice(p.lastIndexOf('/') + 1)
export const basename = (p, ext) => (ext && base(p).endsWith(ext) ? base(p).slice(0, -ext.length) : base(p))
export const extname = (p) => { const b = base(p), i = b.lastIndexOf('.'); return i > 0 ? b.slice(i) : '' }
export const dirname = (p) => p.slice(0, Math.max(0, p.lastIndexOf('/'))) || '.'
export const resolve = (...ps) => ps.join('/')
export default { basename, extname, dirname, resolve }`,
  fs: `export const existsSync = () => false
export const realpathSync = (p) => p
export default { existsSync, realpathSync }`,
  child_process: `export const spawn = () => { throw new Error('no processes in a browser') }
export default { spawn }`,
}

export const browserShims = {
  name: 'browser-shims',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(events|process|path|fs|child_process)$/ }, (args) => ({
      path: args.path.replace(/^node:/, ''),
      namespace: 'browser-shim',
    }))
    build.onLoad({ filter: /.*/, namespace: 'browser-shim' }, (args) => ({ contents: stubs[args.path], loader: 'js' }))
    build.onResolve({ filter: /[\\/]graphviz\.js$/ }, (args) =>
      /[\\/]src[\\/]render$/.test(args.resolveDir) ? { path: fileURLToPath(new URL('../src/playground/graphviz.ts', import.meta.url)) } : undefined,
    )
  },
}

/**
 * Graphviz's WebAssembly, which @viz-js/viz inlines as a string of raw bytes (1.2 MB, and bytes
 * such as "<!--" that an inline <script> must not hold), inlined instead gzipped and in base64,
 * and inflated on load by DecompressionStream (Chromium, Firefox and Safari all have it).
 * Its loader awaits what findWasmBinary returns, so a promise of the bytes takes their place.
 */
export const inflatedWasm = {
  name: 'inflated-wasm',
  setup(build) {
    build.onLoad({ filter: /[\\/]@viz-js[\\/]viz[\\/]dist[\\/]viz\.js$/ }, async (args) => {
      const { readFileSync } = await import('node:fs')
      const { gzipSync } = await import('node:zlib')
      const source = readFileSync(args.path, 'utf8')
      const head = 'function findWasmBinary(){return binaryDecode('
      const start = source.indexOf(head)
      const end = source.indexOf("')}", start)
      if (start < 0 || end < 0) throw new Error('@viz-js/viz: findWasmBinary not found; the inflated-wasm plugin needs updating')
      // The string literal as JavaScript reads it (our build, reading our own dependency), then
      // decoded as viz's binaryDecode does.
      const literal = source.slice(start + head.length, end + 1)
      // Exactly one quoted string, and nothing else, is evaluated.
      if (!/^'(?:[^'\\]|\\.)*'$/s.test(literal))
        throw new Error('@viz-js/viz: the WebAssembly is no single string literal; the inflated-wasm plugin needs updating')
      const text = new Function(`return ${literal}`)()
      const bytes = Uint8Array.from(text, (ch) => {
        const c = ch.charCodeAt(0)
        return (~c >> 8) & c
      })
      const packed = gzipSync(bytes, { level: 9 }).toString('base64')
      const inflate = `function findWasmBinary(){return new Response(new Blob([Uint8Array.from(atob("${packed}"),(c)=>c.charCodeAt(0))]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then((b)=>new Uint8Array(b))}`
      return { contents: source.slice(0, start) + inflate + source.slice(end + 3), loader: 'js' }
    })
  },
}
