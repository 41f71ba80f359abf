'use strict'
// Build step: runs the bundle on typical programs in every format, then saves V8's code cache of
// everything compiled so far beside the bundle (bin/load.cjs reads it).
const fs = require('node:fs')
const { loadBundle, CACHE } = require('../bin/load.cjs')

const { exports: cli, script } = loadBundle()
const sink = { stdout() {}, stderr() {}, readStdin: async () => '', readFile: () => '', writeFile() {}, colorLevel: 1 }
const runs = [
  ['(x*w+b-y)^2', '--x', '1', '--w', '1'],
  ['yhat = x*w + b; loss = (yhat - y)^2', '--x', '1', '--w', '1', '--b', '0', '--y', '2', '--explain'],
  ['relu(x) + sqrt(x) + max(x, y)', '--x', '0', '--y', '0', '--ascii'],
  ['2 +'],
  ['--help'],
]
;(async () => {
  for (const format of Object.keys(cli.FORMATS)) {
    for (const argv of runs) await cli.main([...argv, '--format', format], sink)
  }
  fs.writeFileSync(CACHE, script.createCachedData())
})()
