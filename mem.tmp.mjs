import { main } from './dist/cli.js'
import fs from 'node:fs'
const args = ['--file', '/tmp/wide300k.txt', ...fs.readFileSync('/tmp/wide-sum-100000.args', 'utf8').trim().split(' '), ...process.argv.slice(2)]
let n = 0, max = 0, first
const io = { stdout: (t) => { n++; const h = process.memoryUsage().heapUsed / 1e6; if (first === undefined) first = h; if (h > max) max = h }, stderr: (t) => process.stderr.write(t), readStdin: async () => '', readFile: (p) => fs.readFileSync(p, 'utf8'), writeFile() {}, colorLevel: 0 }
await main(args, io)
console.log('chunks', n, 'heap at first chunk', first.toFixed(0), 'max during output', max.toFixed(0))
