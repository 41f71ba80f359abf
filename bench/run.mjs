// npm run bench: whole processes of the installed bin, timed several times each, against the
// targets. Timings never run in npm test. With --readme, the table replaces the README's copy.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GENERATORS, baselineProgram, bindingArgs } from './generators.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const BIN = join(root, pkg.bin['backprop-tutor'])
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
const work = mkdtempSync(join(tmpdir(), 'bpt-bench-'))
const quick = process.argv.includes('--quick')

/**
 * Median wall seconds and peak RSS (MB) of `runs` runs of node with `args` (in `env`: this
 * process's own). Output is read through a pipe, the hardest case for a writer: one that does not
 * wait for its reader piles its output up in memory.
 */
function measure(args, runs, env = process.env) {
  const walls = []
  let peak = 0
  for (let k = 0; k < runs; k++) {
    const command = TIME ? [TIME, ['-f', '%M', process.execPath, ...args]] : [process.execPath, args]
    const start = performance.now()
    const result = spawnSync(command[0], command[1], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...env, NO_COLOR: '1' } })
    walls.push((performance.now() - start) / 1000)
    if (result.status !== 0) throw new Error(`${args.join(' ').slice(0, 200)} failed: ${result.stderr.slice(-500)}`)
    if (TIME) peak = Math.max(peak, Number(result.stderr.trim().split('\n').pop()) / 1024)
  }
  walls.sort((a, b) => a - b)
  return { wall: walls[Math.floor(walls.length / 2)], peak: TIME ? peak : undefined }
}

function programFile(name, program) {
  const path = join(work, `${name}.txt`)
  writeFileSync(path, program)
  return path
}

const rows = []
const add = (name, size, m, extra = {}) => rows.push({ name, size, ...m, ...extra })

// Start-up: the cases take turns, run after run, so a slow moment of the machine hits all alike.
const mission = ['(x*w+b-y)^2', '--x', '1', '--w', '1']
const startCases = [['node -e 0', ['-e', '0']]]
for (const format of ['table', 'json', 'markdown', 'latex', 'dot', 'mermaid', 'svg']) {
  startCases.push([`mission example, --format ${format}`, [BIN, ...mission, '--format', format]])
}
// NODE_EXTRA_CA_CERTS makes every Node process read a certificate bundle before it runs anything
// (about 0.07-0.13 s here), which flatters every ratio to node -e 0. Start-up is measured both
// ways: as the machine is set up, and without it (where it is unset, the two are the same runs).
const { NODE_EXTRA_CA_CERTS: certs, ...bare } = process.env
const BARE = ' (without NODE_EXTRA_CA_CERTS)'
startCases.push([`node -e 0${BARE}`, ['-e', '0'], bare], [`mission example, --format table${BARE}`, [BIN, ...mission], bare])
const startRuns = startCases.map(() => [])
for (let k = 0; k < (quick ? 5 : 21); k++) startCases.forEach(([, args, env], c) => startRuns[c].push(measure(args, 1, env)))
const median = (runs) => {
  const walls = runs.map((r) => r.wall).sort((a, b) => a - b)
  return { wall: walls[Math.floor(walls.length / 2)], peak: runs[0].peak === undefined ? undefined : Math.max(...runs.map((r) => r.peak)) }
}
const node = median(startRuns[0])
const bareNode = median(startRuns[startCases.findIndex(([name]) => name === `node -e 0${BARE}`)])
const startup = {}
startCases.forEach(([name, , env], c) => {
  startup[name] = median(startRuns[c])
  add(name, '', startup[name], env === bare ? { node: bareNode } : {})
})

// Scale.
const sizes = quick ? [10_000] : [10_000, 100_000]
const scale = {}
const files = {}
for (const [name, generate] of Object.entries(GENERATORS)) {
  for (const ops of sizes) {
    const { program, bindings } = generate(ops)
    const file = programFile(`${name}-${ops}`, program)
    files[`${name} ${ops}`] = { file, bindings }
    const runs = ops > 10_000 ? 3 : 5
    const m = measure([BIN, '--file', file, ...bindingArgs(bindings), '--format', 'json'], runs)
    scale[`${name} ${ops} json`] = m
    add(`${name}, --format json`, ops, m)
    const t = measure([BIN, '--file', file, ...bindingArgs(bindings)], runs)
    scale[`${name} ${ops} table`] = t
    add(`${name}, --format table`, ops, t)
  }
}
// The chain with no value bound: every value and gradient an expression.
{
  const { file } = files['chain 10000']
  scale['chain 10000 unbound'] = measure([BIN, '--file', file, '--format', 'json'], 5)
  add('chain, unbound (symbolic), --format json', 10_000, scale['chain 10000 unbound'])
}
// Markdown is a note, refused past LIMITS.maxNoteNodes: it is tried at 100,000 operations (where it
// says so) and measured beside json at the largest wide sum it takes.
const NOTE_OPS = 29_000
let markdownRefused
{
  const big = files[`wide-sum ${sizes[sizes.length - 1]}`]
  const tried = spawnSync(process.execPath, [BIN, '--file', big.file, ...bindingArgs(big.bindings), '--format', 'markdown'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
  if (tried.status !== 0) markdownRefused = tried.stderr.trim().replace(/^backprop-tutor: error: /, '')
  const { program, bindings } = GENERATORS['wide-sum'](NOTE_OPS)
  const file = programFile(`wide-sum-${NOTE_OPS}`, program)
  scale.noteJson = measure([BIN, '--file', file, ...bindingArgs(bindings), '--format', 'json'], 5)
  add('wide-sum, --format json', NOTE_OPS, scale.noteJson)
  scale.noteMarkdown = measure([BIN, '--file', file, ...bindingArgs(bindings), '--format', 'markdown'], 5)
  add('wide-sum, --format markdown', NOTE_OPS, scale.noteMarkdown)
}

// In one process, the trace's own work on the 10,000-operation chain, and PyTorch's scalar
// autograd on the same graph where torch can be imported (bench/torch-chain.py).
const inProcess = JSON.parse(spawnSync(process.execPath, [join(root, 'bench', 'in-process.mjs'), '10000'], { encoding: 'utf8' }).stdout)
// Debian's python3-torch is for the system Python: a python3 found first on PATH (a pyenv or venv
// one) may lack it, so each candidate is tried in turn ($PYTHON first where it is set).
const pythons = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p) => p !== undefined)
let torch
for (const python of pythons) {
  const run = spawnSync(python, [join(root, 'bench', 'torch-chain.py'), '10000'], { encoding: 'utf8' })
  if (run.status === 0) {
    torch = JSON.parse(run.stdout)
    break
  }
}

// A tensor program: a batch through a 784→128→10 network, weights from randn, X and Y from CSV files.
const MLP = 'H = relu(X*W1 + b1); O = H*W2 + b2; loss = mean(logsumexp(O, 2) - sum(Y .* O, 2))'
function mlpArgs(batch) {
  // Inputs in [-0.5, 0.5) from a fixed linear congruential sequence; one-hot targets by row.
  let seed = 7
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5
  const x = Array.from({ length: batch }, () => Array.from({ length: 784 }, () => next().toFixed(4)).join(',')).join('\n')
  const y = Array.from({ length: batch }, (_, i) => Array.from({ length: 10 }, (_, j) => (j === i % 10 ? 1 : 0)).join(',')).join('\n')
  const xFile = join(work, `mlp-x-${batch}.csv`)
  const yFile = join(work, `mlp-y-${batch}.csv`)
  writeFileSync(xFile, `${x}\n`)
  writeFileSync(yFile, `${y}\n`)
  return [MLP, '--X', `@${xFile}`, '--Y', `@${yFile}`, '--W1', 'randn(784, 128) / 28', '--b1', 'zeros(128)', '--W2', 'randn(128, 10) / 11', '--b2', 'zeros(10)']
}
const tensor = {}
let pageFile
for (const batch of quick ? [64] : [64, 256]) {
  const args = mlpArgs(batch)
  tensor[`json ${batch}`] = measure([BIN, ...args, '--format', 'json'], 5)
  add(`784→128→10 network, batch ${batch}, --format json`, '', tensor[`json ${batch}`])
  if (batch === 64) {
    tensor.table = measure([BIN, ...args], 5)
    add(`784→128→10 network, batch ${batch}, --format table`, '', tensor.table)
    pageFile = join(work, 'mlp-64.html')
    tensor.html = measure([BIN, ...args, '--format', 'html', '-o', pageFile], 5)
    add(`784→128→10 network, batch ${batch}, --format html`, '', tensor.html)
  }
}

// A 28×28 image through a 5×5 convolution, 2×2 max-pooling and a 10-way linear layer, with the
// gradient check (its 929 entries are past the entry-by-entry limit, so each variable is moved
// along 2 random directions, as PyTorch's fast gradcheck does).
const CONV = 'H = conv2d(X, K); P = maxpool2d(H, 2); z = sum(P*W, 1); loss = logsumexp(z) - z[3]'
const conv = measure([BIN, CONV, '--X', 'randn(28, 28)', '--K', 'randn(5, 5) / 5', '--W', 'randn(12, 10) / 12', '--format', 'json'], 5)
add('28×28 image: conv2d 5×5, maxpool2d 2, 10-way linear, checked, --format json', '', conv)

// The 2-layer perceptron traced in symbols (--shape): every gradient a matrix formula.
const symbolicMlp = measure([BIN, '--file', join(root, 'examples', 'mlp.txt'), ...['X=4x2', 'W1=2x3', 'b1=3', 'w2=3', 'y=4'].flatMap((s) => ['--shape', s])], 5)
add('2-layer perceptron in symbols (--shape), --format table', '', symbolicMlp)

// The batch's page opened in Debian's Chromium (where it is installed), timed from the request to
// the first step drawn; the median of 5 loads in one browser.
let pageOpen
let playgroundReady
const playgroundFile = join(work, 'playground.html')
if (existsSync('/usr/bin/chromium')) {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
  const walls = []
  for (let k = 0; k < 5; k++) {
    const page = await browser.newPage()
    const start = performance.now()
    await page.goto(`file://${pageFile}`)
    await page.waitForFunction(() => document.getElementById('counter')?.textContent?.startsWith('step 1 of'))
    walls.push((performance.now() - start) / 1000)
    await page.close()
  }
  walls.sort((a, b) => a - b)
  pageOpen = walls[2]
  // The playground, opened at the mission example's link: from the request to its first trace
  // drawn (the CLI run three times in the page, Graphviz inflated and laid out).
  spawnSync(process.execPath, [BIN, 'playground', '-o', playgroundFile])
  const ready = []
  for (let k = 0; k < 5; k++) {
    const page = await browser.newPage()
    const start = performance.now()
    await page.goto(`file://${playgroundFile}#p=(x*w%2Bb-y)%5E2&x=1&w=1&b=0&y=2`)
    await page.waitForSelector('#pg-trace[aria-busy=false] #counter')
    ready.push((performance.now() - start) / 1000)
    await page.close()
  }
  ready.sort((a, b) => a - b)
  playgroundReady = ready[2]
  await browser.close()
}

// Against mathjs derivative, once per variable.
const base = baselineProgram(2_000)
const baseFile = programFile('baseline-2000', base.program)
const ours = measure([BIN, '--file', baseFile, ...bindingArgs(base.bindings), '--format', 'json'], 5)
const theirs = measure([join(root, 'bench', 'mathjs-derivative.mjs'), baseFile, ...bindingArgs(base.bindings)], 3)
add('backprop-tutor, all 50 gradients', 2_000, ours, { baseline: ours.wall / theirs.wall })
add('mathjs derivative per variable (baseline)', 2_000, theirs, { baseline: 1 })

const fmt = (x, digits = 2) => (x === undefined ? 'n/a' : x.toFixed(digits))
const lines = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
  '',
  '| case | operations | median wall (s) | peak memory (MB) | × node -e 0 | × mathjs baseline |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.size === '' ? '' : r.size.toLocaleString('en-US')} | ${fmt(r.wall, 3)} | ${fmt(r.peak, 0)} | ${fmt(r.wall / (r.node ?? node).wall)} | ${fmt(r.baseline)} |`,
  ),
]
lines.push(
  '',
  certs !== undefined
    ? `This machine sets NODE_EXTRA_CA_CERTS. Rows marked${BARE} ran without it, and their ratio is to node -e 0 run without it.`
    : `NODE_EXTRA_CA_CERTS is not set here: rows marked${BARE} are the same start measured again.`,
)

// The speed targets, each a ratio measured in this one run.
const goals = []
const goal = (name, measured, target, ok) => goals.push(`| ${name} | ${measured} | ${target} | ${ok === undefined ? 'not judged' : ok ? 'met' : 'NOT met'} |`)
const ratio = (a, b) => a.wall / b.wall
const missionTable = startup['mission example, --format table']
const missionBare = startup[`mission example, --format table${BARE}`]
goal('start-up, mission example, as this machine is set up', `${fmt(ratio(missionTable, node))} × node -e 0`, 'reported', undefined)
goal(`start-up, mission example${BARE}`, `${fmt(ratio(missionBare, bareNode))} × node -e 0`, '≤ 1.25 ×', ratio(missionBare, bareNode) <= 1.25)
goal('chain, 10,000 operations, json, whole process', `${fmt(scale['chain 10000 json'].wall, 3)} s`, 'reported', undefined)
const trace10k = `${fmt(inProcess.whole * 1000, 0)} ms (values and gradients alone ${fmt(inProcess.backprop * 1000, 0)} ms; parse and graph ${fmt(inProcess.parse * 1000, 0)} ms)`
if (torch) {
  goal(
    `chain, 10,000 operations, in-process trace vs PyTorch ${torch.torch} scalar autograd (${fmt(torch.seconds * 1000, 0)} ms)`,
    `${trace10k}: ${fmt(inProcess.whole / torch.seconds)} ×`,
    '≤ 1 ×',
    inProcess.whole <= torch.seconds,
  )
} else goal('chain, 10,000 operations, in-process trace vs PyTorch scalar autograd', `${trace10k}; PyTorch not installed`, '≤ 1 × PyTorch', undefined)
for (const name of Object.keys(GENERATORS)) {
  const big = sizes[sizes.length - 1]
  const json = scale[`${name} ${big} json`]
  const table = scale[`${name} ${big} table`]
  const growth =
    big > 10_000
      ? `; 10,000 → 100,000: table ${fmt(ratio(table, scale[`${name} 10000 table`]))} ×, json ${fmt(ratio(json, scale[`${name} 10000 json`]))} ×`
      : ''
  goal(`${name}, table vs json at ${big.toLocaleString('en-US')}`, `${fmt(ratio(table, json))} ×${growth}`, '≤ 1.5 ×', ratio(table, json) <= 1.5)
}
if (markdownRefused) goal(`wide-sum, markdown vs json at ${sizes[sizes.length - 1].toLocaleString('en-US')}`, `refused: ${markdownRefused}`, '≤ 1.5 ×', false)
goal(
  `wide-sum, markdown vs json at ${NOTE_OPS.toLocaleString('en-US')}`,
  `${fmt(ratio(scale.noteMarkdown, scale.noteJson))} ×`,
  '≤ 1.5 ×',
  ratio(scale.noteMarkdown, scale.noteJson) <= 1.5,
)
const unbound = ratio(scale['chain 10000 unbound'], scale['chain 10000 json'])
goal('chain, unbound vs bound, json at 10,000', `${fmt(unbound)} ×`, '≤ 1.3 ×', unbound <= 1.3)
goal(
  '784→128→10 network, batch 64, json vs table',
  `${fmt(ratio(tensor['json 64'], tensor.table))} ×`,
  '≤ 1.2 ×',
  ratio(tensor['json 64'], tensor.table) <= 1.2,
)
if (TIME) {
  const big = sizes[sizes.length - 1]
  for (const format of ['json', 'table']) {
    const worst = Object.keys(GENERATORS)
      .map((name) => ({ name, kb: (scale[`${name} ${big} ${format}`].peak * 1024) / big }))
      .sort((a, b) => b.kb - a.kb)[0]
    goal(`peak memory a node, ${format} at ${big.toLocaleString('en-US')} (the worst shape, ${worst.name})`, `${fmt(worst.kb)} KB`, '≤ 1 KB', worst.kb <= 1)
  }
}
lines.push('', '| target | measured | goal | |', '| --- | --- | --- | --- |', ...goals)

// Targets.
const checks = []
const target = (ok, text) => checks.push(`- ${ok ? 'met' : 'NOT met'}: ${text}`)
// svg loads its WebAssembly Graphviz on demand and has no start-up target.
for (const r of rows.filter((r) => r.name.startsWith('mission') && !r.name.endsWith('svg') && !r.node)) {
  target(r.wall / node.wall <= 1.3, `${r.name} within 1.3 × node -e 0 (${fmt(r.wall / node.wall)})`)
}
for (const name of Object.keys(GENERATORS)) {
  const small = scale[`${name} 10000 json`]
  const big = scale[`${name} 100000 json`]
  target(small.wall <= 1, `${name}: 10,000 operations in at most 1 s (${fmt(small.wall)} s)`)
  target(
    scale[`${name} 10000 table`].wall <= 2 * small.wall,
    `${name}: table within 2 × json at 10,000 (${fmt(scale[`${name} 10000 table`].wall / small.wall)})`,
  )
  if (big) {
    target(big.wall <= 10, `${name}: 100,000 operations in at most 10 s (${fmt(big.wall)} s)`)
    target(big.wall / small.wall <= 12, `${name}: 100,000 / 10,000 time ratio at most 12 (${fmt(big.wall / small.wall)})`)
    if (big.peak !== undefined) target(big.peak <= 1024, `${name}: peak memory at 100,000 at most 1 GB (${fmt(big.peak, 0)} MB)`)
  }
}
target(ours.wall < theirs.wall, `faster than mathjs derivative per variable (${fmt(ours.wall / theirs.wall)} of its time)`)
target(
  conv.wall <= 0.5,
  `28×28 image through conv2d 5×5, maxpool2d 2 and a 10-way linear layer, with the gradient check, in at most 0.5 s (${fmt(conv.wall)} s)`,
)
target(symbolicMlp.wall < 0.5, `2-layer perceptron in symbols: traced in under 0.5 s (${fmt(symbolicMlp.wall)} s)`)
target(tensor['json 64'].wall <= 1, `784→128→10 network, batch 64: trace, check and json in at most 1 s (${fmt(tensor['json 64'].wall)} s)`)
target(tensor.table.wall <= 1.5, `784→128→10 network, batch 64: the tables in at most 1.5 s (${fmt(tensor.table.wall)} s)`)
const pageSize = readFileSync(pageFile).length
target(pageSize <= 2 * 2 ** 20, `784→128→10 network, batch 64: its page at most 2 MB (${fmt(pageSize / 2 ** 20, 3)} MB)`)
if (playgroundReady !== undefined) {
  const size = readFileSync(playgroundFile).length
  target(size <= 2 * 2 ** 20, `playground: one file of at most 2 MB (${fmt(size / 2 ** 20, 3)} MB)`)
  target(playgroundReady < 1, `playground: the mission example's link traced and drawn in Chromium in under 1 s (${fmt(playgroundReady)} s)`)
}
if (pageOpen !== undefined) target(pageOpen < 2, `784→128→10 network, batch 64: its page opens in Chromium in under 2 s (${fmt(pageOpen)} s)`)
for (const [name, m] of Object.entries(tensor).filter(([name]) => name !== 'html')) {
  if (m.peak !== undefined)
    target(
      m.peak <= 1024,
      `784→128→10 network, ${name.replace('json', 'json, batch').replace('table', 'table, batch 64')}: peak memory at most 1 GB (${fmt(m.peak, 0)} MB)`,
    )
}
if (tensor['json 256']) {
  // Four times the batch is about four times the work (the weights' own share does not grow).
  target(
    tensor['json 256'].wall / tensor['json 64'].wall <= 4,
    `784→128→10 network: batch 256 / batch 64 time ratio at most 4 (${fmt(tensor['json 256'].wall / tensor['json 64'].wall)})`,
  )
}
lines.push('', ...checks)

const table = lines.join('\n')
process.stdout.write(`${table}\n`)
if (process.argv.includes('--readme')) {
  const readme = join(root, 'README.md')
  const text = readFileSync(readme, 'utf8')
  const start = '<!-- bench:start -->'
  const end = '<!-- bench:end -->'
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < 0) throw new Error(`README.md lacks ${start} … ${end}`)
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`)
}
