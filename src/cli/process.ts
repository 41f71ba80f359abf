// The real process behind the Io: stdout and stderr, stdin read whole, files, the terminal's colour,
// and the quiz's line reader. Only this module touches process.
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import chalk from 'chalk'
import type { Io } from './io.js'
import { main } from './main.js'

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Chalk's detection (TTY, FORCE_COLOR, --no-color), plus NO_COLOR (no-color.org), which chalk 5
 * does not read; as in Node itself, FORCE_COLOR wins over NO_COLOR.
 */
function colorLevel(env: NodeJS.ProcessEnv): Io['colorLevel'] {
  return env.NO_COLOR && !('FORCE_COLOR' in env) ? 0 : chalk.level
}

/** Resolves when the stream has written what it queued. */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.once('drain', resolve))
}

/** The real process: what bin/backprop-tutor.cjs calls. */
export async function run(): Promise<void> {
  // A reader that stops early (| head) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
  const input = lineReader()
  const io: Io = {
    ask: input.ask,
    newSeed: () => Math.floor(Math.random() * 1_000_000),
    stdout: (text) => (process.stdout.write(text) ? undefined : drained(process.stdout)),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => readAll(process.stdin),
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => {
      if (typeof text === 'string') return writeFileSync(path, text)
      const fd = openSync(path, 'w')
      try {
        for (const chunk of text) writeSync(fd, chunk)
      } finally {
        closeSync(fd)
      }
    },
    colorLevel: colorLevel(process.env),
  }
  process.exitCode = await main(process.argv.slice(2), io)
  input.close()
}

/**
 * The quiz's answers: in a terminal, readline with line editing (it echoes what is typed); from a
 * pipe, one line at a time, echoed after the prompt so the transcript reads like a session.
 * Created on the first question, so other commands never touch stdin.
 */
function lineReader(): { ask: Io['ask']; close: () => void } {
  let reader: import('node:readline').Interface | undefined
  let lines: AsyncIterator<string> | undefined
  let closed = false
  let interactive = false
  // node:readline is loaded, and stdin looked at, on the first question: every other command
  // starts without them (process.stdin alone costs a few milliseconds). require, not import():
  // the CLI bundle is CommonJS, loaded through node:vm.
  const open = () => {
    if (!reader) {
      interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY)
      const { createInterface } = createRequire(import.meta.url)('node:readline') as typeof import('node:readline')
      reader = createInterface({ input: process.stdin, ...(interactive ? { output: process.stdout, terminal: true } : { terminal: false }) })
      reader.once('close', () => (closed = true))
    }
    return reader
  }
  const ask = async (prompt: string): Promise<string | undefined> => {
    const rl = open()
    if (interactive) {
      if (closed) return undefined
      return new Promise((resolve) => {
        const onClose = () => resolve(undefined)
        rl.once('close', onClose)
        rl.question(prompt, (answer) => {
          rl.off('close', onClose)
          resolve(answer)
        })
      })
    }
    lines ??= rl[Symbol.asyncIterator]()
    const next = await lines.next()
    process.stdout.write(next.done ? `${prompt}\n` : `${prompt}${next.value}\n`)
    return next.done ? undefined : next.value
  }
  return { ask, close: () => reader?.close() }
}
