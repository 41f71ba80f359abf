// The playground's script: the command line itself (main, with an Io of the page's own) run on what
// the student types, its outputs shown as they are: the --format html page mounted and stepped, the
// terminal view in both modes, check and quiz. So every number, message and verdict in the page is
// the CLI's, byte for byte, and the page has no engine of its own to drift from it.
import { main } from '../cli/main.js'
import type { Io } from '../cli/io.js'
import { InputError } from '../errors.js'
import { sharedWords, splitArgs } from '../cli/command.js'
import { PLAYGROUND as P } from '../steps/words.js'
import { readHash, words, writeHash } from './share.js'

/** The page's own script (src/render/page.ts), loaded before this one. */
declare const mountPage: (data: unknown, host: { step: number; onStep: (step: number) => void; signal: AbortSignal }) => void

/** Options that have no meaning here: the page chooses the format, shows every face, and has no files. */
const REFUSED = new Set(['--format', '--output', '-o', '--file', '-f', '--help', '-h', '--version', '-V', '--color', '--no-color', '--standalone'])
/** The virtual file a pasted written trace is read from: no extension, so its syntax is read from its text. */
const WRITTEN = 'pasted-trace'
const DEBOUNCE_MS = 150

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T
const programBox = $<HTMLTextAreaElement>('pg-program')
const valuesBox = $<HTMLInputElement>('pg-values')
const status = $('pg-status')
const errorBox = $('pg-error')
const warningBox = $('pg-warnings')
const traceBox = $('pg-trace')
const reverseBox = $('pg-reverse')
const forwardBox = $('pg-forward')
const transcript = $('pg-transcript')
const quizForm = $<HTMLFormElement>('pg-quiz-form')
const quizAnswer = $<HTMLInputElement>('pg-quiz-answer')

/** One run of the command line: what it wrote, and its exit code. `out` streams stdout (the quiz). */
async function run(argv: string[], extra: { files?: Record<string, string>; ask?: Io['ask']; out?: (text: string) => void } = {}) {
  let stdout = ''
  let stderr = ''
  const io: Io = {
    stdout: (text) => {
      stdout += text
      extra.out?.(text)
    },
    stderr: (text) => void (stderr += text),
    readStdin: () => Promise.reject(new InputError(P.noStdin)),
    readFile: (path) => (extra.files && Object.hasOwn(extra.files, path) ? Promise.resolve(extra.files[path]!) : Promise.reject(new Error(P.noFiles))),
    writeFile: () => Promise.reject(new Error(P.noFiles)),
    colorLevel: 0,
    ask: extra.ask ?? (() => Promise.resolve(undefined)),
    newSeed: () => Math.floor(Math.random() * 1_000_000),
    playground: () => Promise.reject(new InputError(P.already)),
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

/** The values box as words of a command line, or the one message that says why it cannot be. */
function valueWords(): string[] | { error: string } {
  const split = words(valuesBox.value)
  if (!Array.isArray(split)) return split
  try {
    const { options } = splitArgs(split, 'trace')
    const refused = options.find((word) => REFUSED.has(word.replace(/=.*/, '')))
    if (refused) return { error: P.refused(refused.replace(/=.*/, '')) }
  } catch {
    // The command line's own message says what is wrong: the run below gives it.
  }
  return split
}

/** How many columns of the terminal view fit in `box` (the view folds there, as --width does). */
function columns(box: HTMLElement): number {
  const probe = document.createElement('span')
  probe.textContent = '0'.repeat(20)
  box.appendChild(probe)
  const width = probe.getBoundingClientRect().width / 20
  probe.remove()
  const fit = width > 0 ? Math.floor((box.clientWidth - 16) / width) : 80
  return Math.max(40, Math.min(120, fit))
}

let step = 1
let generation = 0
let page: AbortController | undefined

function saveHash(): void {
  history.replaceState(null, '', writeHash({ program: programBox.value, values: valuesBox.value, step }))
}

function showError(message: string): void {
  warningBox.hidden = true
  errorBox.textContent = message.replace(/\n$/, '')
  errorBox.hidden = false
  programBox.setAttribute('aria-invalid', 'true')
  status.textContent = traceBox.childElementCount ? P.stale : ''
  document.body.classList.add('stale')
}

function clearError(): void {
  errorBox.hidden = true
  errorBox.textContent = ''
  programBox.removeAttribute('aria-invalid')
  document.body.classList.remove('stale')
}

/** Traces what the boxes hold and redraws every view; a later call overtakes an earlier one still running. */
async function refresh(): Promise<void> {
  const mine = ++generation
  traceBox.setAttribute('aria-busy', 'true')
  try {
    await redraw(mine)
  } finally {
    // The newest run says when the page is ready (a test, or a screen reader, waits for it).
    if (mine === generation) traceBox.setAttribute('aria-busy', 'false')
  }
}

async function redraw(mine: number): Promise<void> {
  endQuiz()
  saveHash()
  const program = programBox.value
  if (!program.trim()) {
    clearError()
    warningBox.hidden = true
    status.textContent = P.empty
    for (const box of [traceBox, reverseBox, forwardBox]) box.replaceChildren()
    return
  }
  const argv = valueWords()
  if (!Array.isArray(argv)) return showError(argv.error)
  const reverse = await run(['--width', String(columns(reverseBox)), ...argv, '--', program])
  if (mine !== generation) return
  if (reverse.code !== 0) return showError(reverse.stderr)
  clearError()
  // Warnings (a value bound to no variable, a --wrt that changes nothing) as the terminal prints them.
  warningBox.textContent = reverse.stderr.replace(/\n$/, '')
  warningBox.hidden = !reverse.stderr
  reverseBox.textContent = reverse.stdout
  const [html, forward] = await Promise.all([
    run([...argv, '--format', 'html', '--', program]),
    run(['--width', String(columns(forwardBox)), ...argv, '--mode', 'forward', '--', program]),
  ])
  if (mine !== generation) return
  forwardBox.textContent = forward.code === 0 ? forward.stdout : forward.stderr
  if (html.code === 0) mount(html.stdout)
  else {
    page?.abort()
    const message = document.createElement('pre')
    message.className = 'pg-message'
    message.textContent = html.stderr
    traceBox.replaceChildren(message)
  }
  status.textContent = P.statusOk(program.length > 60 ? `${program.slice(0, 57)}…` : program)
}

/** The --format html page's graph and steps, moved into this page and stepped by its own script. */
function mount(html: string): void {
  const doc = new DOMParser().parseFromString(html, 'text/html')
  const body = doc.querySelector('main')
  const data = doc.getElementById('page-data')
  if (!body || !data?.textContent) throw new Error('the page has no steps')
  page?.abort()
  page = new AbortController()
  traceBox.replaceChildren(...Array.from(body.childNodes, (node) => document.importNode(node, true)))
  mountPage(JSON.parse(data.textContent), {
    step,
    signal: page.signal,
    onStep: (at) => {
      step = at
      saveHash()
    },
  })
}

/** The boxes from the address, or the mission's example on a first visit. */
function load(): void {
  const shared = readHash(location.hash)
  if (shared && 'error' in shared) {
    programBox.value = ''
    valuesBox.value = ''
    guarded(async () => {
      await refresh()
      showError(shared.error)
    })
    return
  }
  programBox.value = shared ? shared.program : P.example
  valuesBox.value = shared ? shared.values : P.exampleValues
  step = shared ? shared.step : 1
  guarded(refresh)
}

/** Every entry point: a failure is shown in the page as the CLI would report it, never thrown into the console. */
function guarded(task: () => Promise<void>): void {
  task().catch((error: unknown) => showError(P.internal(error instanceof Error ? error.message : String(error))))
}

// check: the claims (one per line) or the written trace, judged by the command line's check.
$<HTMLFormElement>('pg-check-form').addEventListener('submit', (event) => {
  event.preventDefault()
  guarded(checkWork)
})

async function checkWork(): Promise<void> {
  const verdicts = $('pg-verdicts')
  const argv = valueWords()
  if (!Array.isArray(argv)) return void (verdicts.textContent = argv.error)
  const work = $<HTMLTextAreaElement>('pg-claims').value
  const written = ($<HTMLInputElement>('pg-kind-written').checked as boolean) === true
  const claims = written
    ? ['--trace', WRITTEN]
    : work
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'))
        .flatMap((line) => ['--claim', line])
  const result = await run(['check', ...sharedWords(argv, 'trace', 'check'), ...claims, '--', programBox.value], { files: { [WRITTEN]: work } })
  verdicts.textContent = result.stdout + result.stderr
}

// quiz: the command line's quiz, each prompt answered from the box below its transcript.
let answer: ((line: string | undefined) => void) | undefined
let ended = false

/** A quiz still asking is ended (as if its input ended) when what it asks about changes. */
function endQuiz(): void {
  if (!answer) return
  const pending = answer
  answer = undefined
  ended = true
  quizForm.hidden = true
  pending(undefined)
}

$('pg-quiz-start').addEventListener('click', () => guarded(startQuiz))

async function startQuiz(): Promise<void> {
  endQuiz()
  ended = false
  transcript.textContent = ''
  const argv = valueWords()
  if (!Array.isArray(argv)) return void (transcript.textContent = argv.error)
  const ask = (prompt: string) =>
    new Promise<string | undefined>((resolve) => {
      transcript.append(prompt)
      transcript.scrollTop = transcript.scrollHeight
      answer = resolve
      quizForm.hidden = false
      quizAnswer.focus()
    })
  const result = await run(['quiz', ...sharedWords(argv, 'trace', 'quiz'), '--', programBox.value], {
    ask,
    out: (text) => transcript.append(text),
  })
  if (result.stderr) transcript.append(result.stderr)
  if (ended) transcript.append(`\n${P.quizEnded}\n`)
  quizForm.hidden = true
  answer = undefined
}

quizForm.addEventListener('submit', (event) => {
  event.preventDefault()
  if (!answer) return
  const line = quizAnswer.value
  quizAnswer.value = ''
  transcript.append(`${line}\n`)
  const pending = answer
  answer = undefined
  pending(line)
})

let timer: ReturnType<typeof setTimeout> | undefined
const later = () => {
  clearTimeout(timer)
  timer = setTimeout(() => guarded(refresh), DEBOUNCE_MS)
}
// Enter in the values box would submit the form and reload the page: the trace follows the typing instead.
$('pg-form').addEventListener('submit', (event) => event.preventDefault())
programBox.addEventListener('input', later)
valuesBox.addEventListener('input', later)
window.addEventListener('hashchange', load)
load()
