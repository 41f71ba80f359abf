'use strict'
// Loads the CLI bundle with the V8 code cache made at build time (scripts/warm-cache.cjs), so a
// run skips compiling 270 KB of JavaScript: about 30 ms of a 60 ms start-up on these machines.
// Node 20 has no compile cache of its own (module.enableCompileCache arrived in Node 22). A cache
// from another Node version is rejected by V8 and the bundle is simply compiled as usual.
const fs = require('node:fs')
const path = require('node:path')
const vm = require('node:vm')

const BUNDLE = path.join(__dirname, '..', 'dist', 'backprop-tutor.cjs')
const CACHE = `${BUNDLE}.cache`

/** Runs the bundle like require() would; returns its exports and the compiled script. */
function loadBundle() {
  const source = fs.readFileSync(BUNDLE, 'utf8')
  let cachedData
  try {
    cachedData = fs.readFileSync(CACHE)
  } catch {
    cachedData = undefined
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`
  const script = new vm.Script(wrapped, { filename: BUNDLE, cachedData })
  const module = { exports: {} }
  script.runInThisContext().call(module.exports, module.exports, require, module, BUNDLE, path.dirname(BUNDLE))
  return { exports: module.exports, script }
}

module.exports = { loadBundle, CACHE }
