// Bundles the CLI into one CommonJS file so that a run loads only what it uses: mathjs's
// number-only parser rather than all of mathjs (about 0.05 s instead of 1 s of start-up here),
// then saves V8's code cache for it (scripts/warm-cache.cjs).
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { browserShims, inflatedWasm } from './browser-shims.mjs'

/** What both bundles share. */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  // Loaded on demand by the svg and html formats only (src/render/svg.ts), from node_modules.
  external: ['@viz-js/viz'],
  logLevel: 'warning',
}

/**
 * commander requires child_process at its top for the executable subcommands this CLI never has:
 * loading it (with net, dgram and their streams) cost every start-up several milliseconds. Here it
 * gets a stand-in that loads the real module on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] })",
      loader: 'js',
    }))
  },
}

await build({
  ...common,
  plugins: [lazyChildProcess],
  entryPoints: [new URL('../src/cli.ts', import.meta.url).pathname],
  outfile: new URL('../dist/backprop-tutor.cjs', import.meta.url).pathname,
  format: 'cjs',
  minify: true,
  // The ESM sources' import.meta.url, for createRequire in the CommonJS bundle.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
})
// The library entry, one ES module over tsc's per-file output (whose .d.ts files stay the published
// types): an install then needs no mathjs, chalk or commander, only the bundles (README: Packaging).
await build({
  ...common,
  entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
  outfile: new URL('../dist/index.js', import.meta.url).pathname,
  format: 'esm',
  // Minified as the CLI is: half the install size, and the types (dist/*.d.ts) document the API.
  minify: true,
  // commander is CommonJS and requires Node's own modules: the bundle gets a require of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
})
// The library in a browser (the package's "browser" export): the same entry, Node's modules
// replaced (scripts/browser-shims.mjs), Graphviz left to the reader's bundler as a dependency.
const browser = {
  bundle: true,
  platform: 'browser',
  // What current Chromium, Firefox and Safari all run.
  target: ['chrome120', 'firefox121', 'safari17'],
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.BACKPROP_TUTOR_DEBUG': 'undefined' },
}
await build({
  ...browser,
  plugins: [browserShims],
  entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
  outfile: new URL('../dist/browser.js', import.meta.url).pathname,
  format: 'esm',
  minify: true,
  external: ['@viz-js/viz'],
})
// The playground: the command line with Graphviz inlined, in one page (src/playground/shell.ts).
const app = await build({
  ...browser,
  plugins: [browserShims, inflatedWasm],
  entryPoints: [new URL('../src/playground/app.ts', import.meta.url).pathname],
  format: 'iife',
  minify: true,
  write: false,
})
const { playgroundHtml } = await import(new URL('../dist/playground/shell.js', import.meta.url).href)
writeFileSync(new URL('../dist/playground.html', import.meta.url), playgroundHtml(app.outputFiles[0].text))
execFileSync(process.execPath, [new URL('./warm-cache.cjs', import.meta.url).pathname], { stdio: 'inherit' })
