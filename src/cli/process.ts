// The real process behind the Io: stdout and stderr, stdin read whole, files, the terminal's colour,
// and the quiz's line reader. Only this module touches process.
import { createReadStream, fstatSync, constants as fsConstants, promises as fs } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { createRequire } from 'node:module'
import { StringDecoder } from 'node:string_decoder'
import chalk from 'chalk'
import { EXIT, OutputError, TooLong, type Io } from './io.js'
import { main } from './main.js'
import { TextChecker } from './text.js'
import { escapeControls } from '../errors.js'

/**
 * A stream read as UTF-8 text, stopping as soon as it passes `limit` characters: stdin or a file
 * may never end (/dev/zero), and must not be read whole before the limit refuses it.
 */
async function readCapped(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  const decoder = new StringDecoder('utf8')
  const checker = new TextChecker()
  let text = ''
  for await (const chunk of stream) {
    if (typeof chunk !== 'string') checker.push(chunk as Buffer)
    text += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer)
    // Leaving the loop destroys the stream: nothing more is read.
    if (text.length > limit) throw new TooLong(limit)
  }
  checker.end()
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
    ENXIO: 'it is a socket, or a device with nothing behind it',
    ELOOP: 'too many levels of symbolic links',
    ENOTDIR: 'a part of the path is not a directory',
  }[code]
  return new OutputError(target, code, reason ?? (error as Error)?.message ?? String(error))
}

/**
 * Where -o writes. A regular file (or a new name) is replaced atomically; a symlink is followed, so
 * its target is what gets replaced and the link stays. Anything else that exists (a device, a FIFO,
 * a socket, /dev/stdout), and a file with other hard links, is written in place, as the shell's `>`
 * would: renaming onto it would replace the system's own device or link with a plain file, or cut
 * the file off from its other names. A directory, and a file `>` could not write, are refused.
 */
async function outputTarget(path: string): Promise<{ path: string; inPlace: boolean | 'stdout' }> {
  const stat = await fs.stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (stat?.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' })
  // /dev/stdout and its like name our own stdout (a file opened with >>, or a socket no path can
  // open): written as stdout is.
  if (stat && sameFile(stat, 1)) return { path, inPlace: 'stdout' }
  // The kernel follows /proc's links when the path is opened: it is opened as given.
  if (stat && !stat.isFile()) return { path, inPlace: true }
  if (stat) {
    const real = await fs.realpath(path)
    // What > could not write, -o does not replace: renaming needs only the directory's permission.
    await fs.access(real, fsConstants.W_OK)
    // A file with other hard links is written in place, as > writes it: renaming would cut it off from them.
    return { path: real, inPlace: stat.nlink > 1 }
  }
  // A new name, or a dangling link: follow the links by hand to the name the file gets.
  let target = path
  for (let hops = 0; hops < 40; hops++) {
    const link = await fs.lstat(target).catch(() => undefined)
    if (!link?.isSymbolicLink()) return { path: target, inPlace: false }
    target = resolve(dirname(target), await fs.readlink(target))
  }
  throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' })
}

function sameFile(stat: import('node:fs').Stats, fd: number): boolean {
  try {
    const own = fstatSync(fd)
    return own.dev === stat.dev && own.ino === stat.ino
  } catch {
    return false
  }
}

/**
 * Writes -o's file. A regular file is written whole or not at all: into a temporary file beside
 * it, renamed into place at the end, with the mode of the file it replaces. A full disk, a signal
 * or any error leaves the earlier file untouched and removes the temporary one (only SIGKILL can
 * leave it, under a name starting with the file's own). A special file is written in place.
 */
async function writeOutput(path: string, text: string | Iterable<string>): Promise<void> {
  let target: Awaited<ReturnType<typeof outputTarget>>
  try {
    target = await outputTarget(path)
  } catch (error) {
    throw outputError(path, error)
  }
  if (target.inPlace === 'stdout') {
    for (const chunk of pieces(text)) await writeStdout(chunk)
    return
  }
  if (target.inPlace) return writeInPlace(target.path, text)
  const temporary = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.tmp`)
  const interrupted = (signal: NodeJS.Signals) => {
    void fs.rm(temporary, { force: true }).finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)))
  }
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted)
  let file: import('node:fs/promises').FileHandle | undefined
  try {
    const mode = await fs.stat(target.path).then(
      (stat) => stat.mode & 0o7777,
      () => undefined,
    )
    // Created new (O_EXCL), so a link planted under the temporary name is never followed; one
    // left by a killed run is removed first.
    await fs.rm(temporary, { force: true })
    file = await fs.open(temporary, 'wx')
    for (const chunk of pieces(text)) await file.write(chunk)
    if (mode !== undefined) await file.chmod(mode)
    await file.close()
    file = undefined
    await fs.rename(temporary, target.path)
  } catch (error) {
    await file?.close().catch(() => undefined)
    await fs.rm(temporary, { force: true })
    throw outputError(path, error)
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted)
  }
}

const pieces = (text: string | Iterable<string>): Iterable<string> => (typeof text === 'string' ? [text] : text)

/** A device, FIFO or socket, opened as `>` opens it (a FIFO waits for its reader). */
async function writeInPlace(path: string, text: string | Iterable<string>): Promise<void> {
  let file: import('node:fs/promises').FileHandle | undefined
  try {
    file = await fs.open(path, 'w')
    for (const chunk of pieces(text)) await file.write(chunk)
    await file.close()
    file = undefined
  } catch (error) {
    await file?.close().catch(() => undefined)
    throw outputError(path, error)
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

function writeStdout(text: string): void | Promise<void> {
  // Into a file, stdout writes synchronously and throws (ENOSPC on a full disk).
  try {
    return process.stdout.write(text) ? undefined : drained(process.stdout)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw outputError('stdout', error)
  }
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
    // Beside the bundle: import.meta.url is dist/backprop-tutor.cjs.
    playground: () => fs.readFile(new URL('./playground.html', import.meta.url), 'utf8'),
    stdout: writeStdout,
    stderr: (text) => process.stderr.write(text),
    readStdin: (limit) => readCapped(process.stdin, limit),
    readFile: (path, limit) => readCapped(createReadStream(path), limit),
    writeFile: writeOutput,
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
    process.stdout.write(next.done ? `${prompt}\n` : `${prompt}${escapeControls(next.value)}\n`)
    return next.done ? undefined : next.value
  }
  return { ask, close: () => reader?.close() }
}
