// The playground's script: the command line itself (main, with an Io of the page's own) run on what
// the student types, its outputs shown as they are: the --format html page mounted and stepped, the
// terminal view in both modes (folded at the panel's width, the command that prints it shown), check
// and quiz. So every number, message and verdict in the page is the CLI's, and the page has no
// engine of its own to drift from it.
import { main } from '../cli/main.js'
import type { Io } from '../cli/io.js'
import { InputError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { UsageError, sharedWords, splitArgs } from '../cli/command.js'
import { PLAYGROUND as P } from '../steps/words.js'
import { readHash, words, writeHash } from './share.js'

/** The page's own script (src/render/page.ts), loaded before this one. */
declare const mountPage: (data: unknown, host: { step: number; onStep: (step: number) => void; signal: AbortSignal; root: HTMLElement }) => void

/** Options that have no meaning here: the page chooses the format, shows every face, and has no files. */
const REFUSED = new Set(['--format', '--output', '-o', '--file', '-f', '--help', '-h', '--version', '-V', '--color', '--no-color', '--standalone'])
/**
 * What the stepping view and forward mode leave out: a training run (printed after the tables),
 * one entry worked out (in the terminal view), and the mode (each panel is one mode).
 */
const TRACE_ONLY = ['lr', 'steps', 'params', 'data', 'summary', 'entry', 'mode', 'tangent']
/** Options of check and quiz that a trace has not: given in the values box, they go to those panels. */
const PANEL_OPTIONS = ['tolerance']
/** Options with a panel of their own in the page, or no place in it. */
const PANEL_REFUSED = new Set(['--claim', '--claims', '--trace', '--annotate', '--random', '--level', '--tensor'])
/** The virtual file a pasted written trace is read from: no extension, so its syntax is read from its text. */
const WRITTEN = 'the box'
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

/** What the command line says about itself (its --help), which the page has no use for. */
const forPage = (text: string) => text.replace(/\nRun backprop-tutor(?: \w+)? --help for usage\.\n?$/, '\n')

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
  return { code, stdout, stderr: forPage(stderr) }
}

/** --tolerance 0.1 and its kind, taken out of the values box for the check and quiz panels. */
let panelWords: string[] = []

/** The values box as words of a command line, or the one message that says why it cannot be. */
function valueWords(): string[] | { error: string } {
  const all = words(valuesBox.value)
  if (!Array.isArray(all)) return all
  const refusedPanel = all.find((word) => PANEL_REFUSED.has(word.replace(/=.*/, '')))
  if (refusedPanel) return { error: P.panelOption(refusedPanel.replace(/=.*/, '')) }
  panelWords = []
  const split: string[] = []
  for (let i = 0; i < all.length; i++) {
    const name = all[i]!.replace(/^--/, '').replace(/=.*/, '')
    if (all[i]!.startsWith('--') && PANEL_OPTIONS.includes(name)) {
      if (!all[i]!.includes('=') && i + 1 >= all.length) return { error: `backprop-tutor: error: --${name} needs a value, as in --${name} 0.05` }
      panelWords.push(all[i]!)
      if (!all[i]!.includes('=')) panelWords.push(all[++i]!)
    } else split.push(all[i]!)
  }
  try {
    const { options, positionals } = splitArgs(split, 'trace')
    const refused = options.find((word) => REFUSED.has(word.replace(/=.*/, '')))
    if (refused) return { error: P.refused(refused.replace(/=.*/, '')) }
    if (positionals.length > 0) return { error: P.valuesPositional(positionals[0]!) }
  } catch (error) {
    // Read alone, the box's own words are named (--w needs a value), not the words the page adds.
    if (error instanceof UsageError) return { error: `backprop-tutor: error: ${error.message}` }
    throw error
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

/** A word as a POSIX shell reads it back: bare when safe, else in single quotes. */
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)

let step = 1
let traced: string | undefined
let generation = 0
let page: AbortController | undefined

/** The address follows the boxes and the step, unless the link would be too long to share. */
function saveHash(): void {
  const hash = writeHash({ program: programBox.value, values: valuesBox.value, step })
  const fits = hash.length - 1 <= LIMITS.maxShareLength
  history.replaceState(null, '', fits ? hash : location.pathname + location.search)
  if (!fits) status.textContent = P.tooLongToShare(LIMITS.maxShareLength)
}

/** An error as the terminal prints it: its message wrapped to the box, the program line and its caret kept as they are. */
function showError(message: string): void {
  const [first, ...where] = message.replace(/\n$/, '').split('\n')
  const text = document.createElement('div')
  text.textContent = first!
  const caret = document.createElement('pre')
  caret.textContent = where.join('\n')
  errorBox.replaceChildren(text, ...(where.length ? [caret] : []))
  errorBox.hidden = false
  warningBox.hidden = true
  programBox.setAttribute('aria-invalid', 'true')
  status.textContent = traceBox.childElementCount ? P.stale : ''
  document.body.classList.add('stale')
}

function clearError(): void {
  errorBox.hidden = true
  errorBox.replaceChildren()
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
  const program = programBox.value
  // Another program starts at its first step; new values keep the step.
  if (traced !== undefined && program !== traced) step = 1
  saveHash()
  if (!program.trim()) {
    clearError()
    warningBox.hidden = true
    status.textContent = P.empty
    clearViews()
    return
  }
  const argv = valueWords()
  if (!Array.isArray(argv)) return showError(argv.error)
  // The panel's width, unless the box gives one; the reverse panel is the reverse mode.
  const trace = sharedWords(argv, 'trace', 'trace', TRACE_ONLY)
  const reverseWords = sharedWords(argv, 'trace', 'trace', ['mode', 'tangent'])
  const given = splitArgs(argv, 'trace').options.some((word) => /^--width(=|$)/.test(word))
  const width = given ? [] : ['--width', String(columns(reverseBox))]
  const reverse = await run([...reverseWords, ...width, '--', program])
  if (mine !== generation) return
  if (reverse.code !== 0) return showError(reverse.stderr)
  traced = program
  clearError()
  // Warnings (a value bound to no variable, a --wrt that changes nothing) as the terminal prints them.
  warningBox.textContent = reverse.stderr.replace(/\n$/, '')
  warningBox.hidden = !reverse.stderr
  reverseBox.textContent = reverse.stdout
  $('pg-reverse-command').textContent = `${P.command} backprop-tutor ${[program, ...reverseWords, ...width].map(shellWord).join(' ')}`
  // A program in symbols (--shape) is stepped through as formulas; forward mode takes numbers.
  const symbolic = splitArgs(argv, 'trace').options.some((word) => /^--shape(=|$)/.test(word))
  const [html, forward] = await Promise.all([
    run([...trace, '--format', 'html', '--', program]),
    // Forward mode is numbers: a program in symbols is not run for it.
    symbolic
      ? undefined
      : run([
          // Forward mode keeps the box's --tangent directions.
          ...sharedWords(
            argv,
            'trace',
            'trace',
            TRACE_ONLY.filter((o) => o !== 'tangent'),
          ),
          ...(given ? [] : ['--width', String(columns(forwardBox))]),
          '--mode',
          'forward',
          '--',
          program,
        ]),
  ])
  if (mine !== generation) return
  if (!forward) showNote(forwardBox, P.symbolic)
  else forwardBox.textContent = forward.code === 0 ? forward.stdout : forward.stderr
  if (html.code === 0) mount(html.stdout)
  else {
    page?.abort()
    const message = document.createElement('pre')
    message.className = 'pg-message'
    message.textContent = html.stderr
    traceBox.replaceChildren(message)
  }
  if (!status.textContent?.startsWith(P.tooLongToShare(LIMITS.maxShareLength))) status.textContent = P.statusOk(firstStatement(program))
}

/** The program's first line that is not a comment, shortened for the status line. */
function firstStatement(program: string): string {
  const first =
    program
      .split('\n')
      .find((line) => line.trim() && !line.trim().startsWith('#'))
      ?.trim() ?? ''
  return first.length > 60 ? `${first.slice(0, 57)}…` : first
}

/** A panel that has nothing to show for this program, and says why. */
function showNote(box: HTMLElement, text: string): void {
  if (box === traceBox) {
    page?.abort()
    page = undefined
  }
  const note = document.createElement('p')
  note.className = 'hint'
  note.textContent = text
  box.replaceChildren(note)
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
    root: traceBox,
    signal: page.signal,
    onStep: (at) => {
      step = at
      saveHash()
    },
  })
}

/** No trace: the views emptied, and the stepping view's listeners (its keys) gone with it. */
function clearViews(): void {
  page?.abort()
  page = undefined
  for (const box of [traceBox, reverseBox, forwardBox]) box.replaceChildren()
}

/** The boxes from the address, or the mission's example on a first visit. A link refused stays in the address, to be read. */
function load(): void {
  const shared = readHash(location.hash)
  if (shared && 'error' in shared) {
    generation++
    programBox.value = ''
    valuesBox.value = ''
    clearViews()
    traceBox.setAttribute('aria-busy', 'false')
    showError(shared.error)
    return
  }
  programBox.value = shared ? shared.program : P.example
  valuesBox.value = shared ? shared.values : P.exampleValues
  step = shared ? shared.step : 1
  traced = undefined
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
  if (!work.trim()) return void (verdicts.textContent = P.checkEmpty)
  const written = $<HTMLInputElement>('pg-kind-written').checked
  const claims = written
    ? ['--trace', WRITTEN]
    : work
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'))
        .flatMap((line) => ['--claim', line])
  const result = await run(['check', ...sharedWords(argv, 'trace', 'check'), ...panelWords, ...claims, '--', programBox.value], { files: { [WRITTEN]: work } })
  verdicts.textContent = result.stdout + result.stderr
}

// quiz: the command line's quiz, each prompt answered from the box below its transcript. Each
// quiz has its number: one still finishing (ended by a change, or by a new one) writes nothing more.
let quizzes = 0
let answer: ((line: string | undefined) => void) | undefined
let ended: string | undefined

/** A quiz still asking is ended (as if its input ended) when what it asks about changes. */
function endQuiz(): void {
  if (!answer) return
  const pending = answer
  answer = undefined
  ended = P.quizEnded
  quizForm.hidden = true
  pending(undefined)
}

$('pg-quiz-start').addEventListener('click', () => guarded(startQuiz))

async function startQuiz(): Promise<void> {
  endQuiz()
  const mine = ++quizzes
  ended = undefined
  transcript.textContent = ''
  const argv = valueWords()
  if (!Array.isArray(argv)) return void (transcript.textContent = argv.error)
  const ask = (prompt: string) =>
    new Promise<string | undefined>((resolve) => {
      if (mine !== quizzes) return resolve(undefined)
      transcript.append(prompt)
      transcript.scrollTop = transcript.scrollHeight
      answer = resolve
      quizForm.hidden = false
      quizAnswer.focus()
    })
  const result = await run(['quiz', ...sharedWords(argv, 'trace', 'quiz'), ...panelWords, '--', programBox.value], {
    ask,
    out: (text) => void (mine === quizzes && transcript.append(text)),
  })
  if (mine !== quizzes) return
  if (result.stderr) transcript.append(result.stderr)
  if (ended) transcript.append(`\n${ended}\n`)
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
