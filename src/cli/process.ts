// The real process behind the Io: stdout and stderr, stdin read whole, files, the terminal's colour,
// and the quiz's line reader. Only this module touches process.
import { createReadStream, promises as fs } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { StringDecoder } from 'node:string_decoder'
import chalk from 'chalk'
import { EXIT, OutputError, TooLong, type Io } from './io.js'
import { main } from './main.js'

/**
 * A stream read as UTF-8 text, stopping as soon as it passes `limit` characters: stdin or a file
 * may never end (/dev/zero), and must not be read whole before the limit refuses it.
 */
async function readCapped(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  const decoder = new StringDecoder('utf8')
  let text = ''
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer)
    // Leaving the loop destroys the stream: nothing more is read.
    if (text.length > limit) throw new TooLong(limit)
  }
  text += decoder.end()
  if (text.length > limit) throw new TooLong(limit)
  return text
}

/** A failed write, as the one line the user sees: what could not be written, and why. */
function outputError(target: string, error: unknown): OutputError {
  const code = (error as NodeJS.ErrnoException)?.code ?? 'EIO'
  const reason = {
    ENOSPC: 'no space left on device',
    EACCES: 'permission denied',
    EISDIR: 'it is a directory',
    ENOENT: 'no such directory',
    EROFS: 'read-only file system',
  }[code]
  return new OutputError(target, code, reason ?? (error as Error)?.message ?? String(error))
}

/**
 * Writes a file whole or not at all: into a temporary file beside it, renamed into place at the
 * end. A full disk, a signal or any error leaves the earlier file untouched and removes the
 * temporary one (only SIGKILL can leave it, under a name starting with the file's own).
 */
async function writeAtomically(path: string, text: string | Iterable<string>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  const interrupted = (signal: NodeJS.Signals) => {
    void fs.rm(temporary, { force: true }).finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)))
  }
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted)
  let file: import('node:fs/promises').FileHandle | undefined
  try {
    file = await fs.open(temporary, 'w')
    for (const chunk of typeof text === 'string' ? [text] : text) await file.write(chunk)
    await file.close()
    file = undefined
    await fs.rename(temporary, path)
  } catch (error) {
    await file?.close().catch(() => undefined)
    await fs.rm(temporary, { force: true })
    throw outputError(path, error)
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted)
  }
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
  // A reader that stops early (| head) is not an error; any other failure is one line and its own exit code.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    const failed = outputError('stdout', error)
    process.stderr.write(`backprop-tutor: error: cannot write ${failed.target}: ${failed.message} (${failed.code})\n`)
    process.exit(EXIT.output)
  })
  const input = lineReader()
  const io: Io = {
    ask: input.ask,
    newSeed: () => Math.floor(Math.random() * 1_000_000),
    stdout: (text) => {
      // Into a file, stdout writes synchronously and throws (ENOSPC on a full disk).
      try {
        return process.stdout.write(text) ? undefined : drained(process.stdout)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(process.exitCode ?? 0)
        throw outputError('stdout', error)
      }
    },
    stderr: (text) => process.stderr.write(text),
    readStdin: (limit) => readCapped(process.stdin, limit),
    readFile: (path, limit) => readCapped(createReadStream(path), limit),
    writeFile: writeAtomically,
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
