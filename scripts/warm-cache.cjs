'use strict'
// Build step: runs the bundle on the mission example in the default format, then saves V8's code
// cache of everything compiled so far beside the bundle (bin/load.cjs reads it). Loading the
// bundle alone compiles most of it; the run adds the common path. Warming every format as well
// made the cache a quarter bigger and every start-up, in any format, about 4 ms slower: reading
// the cache costs more than compiling the few functions one format needs.
const fs = require('node:fs')
const { loadBundle, CACHE } = require('../bin/load.cjs')

const { exports: cli, script } = loadBundle()
const sink = { stdout() {}, stderr() {}, readStdin: async () => '', readFile: () => '', writeFile() {}, colorLevel: 1 }
;(async () => {
  await cli.main(['(x*w+b-y)^2', '--x', '1', '--w', '1'], sink)
  fs.writeFileSync(CACHE, script.createCachedData())
})()
