// What the command line exchanges with the world: exit codes, and the streams and files behind an
// Io, which the real process (cli/process.ts) and the tests (in memory) each provide.
export const EXIT = {
  ok: 0,
  /** The program or a value is wrong: the message says what and where. */
  input: 1,
  /** The command line is wrong: unknown option, missing program, unreadable file. */
  usage: 2,
  /** check: at least one claim is wrong (the output says which and why). */
  wrongClaim: 3,
  /** The output could not be written (a full disk, a closed terminal): nothing partial is left behind. */
  output: 74,
  /** A bug in backprop-tutor. */
  internal: 70,
} as const

export interface Io {
  /** Writes to stdout; a promise when the reader is behind (a pipe), to be awaited before writing more. */
  stdout: (text: string) => void | Promise<void>
  stderr: (text: string) => void
  /** All of stdin, or TooLong as soon as it passes `limit` characters (it may never end). */
  readStdin: (limit: number) => Promise<string>
  /** A whole file, or TooLong as soon as it passes `limit` characters (/dev/zero never ends). */
  readFile: (path: string, limit: number) => Promise<string>
  /** Writes a file whole or not at all: a failed write leaves an earlier file as it was. */
  writeFile: (path: string, text: string | Iterable<string>) => Promise<void>
  /** Chalk's color level for stdout (0 = none); chalk detects it from the TTY, NO_COLOR, FORCE_COLOR. */
  colorLevel: 0 | 1 | 2 | 3
  /** quiz: shows the prompt and reads the student's next line; undefined when the input ends. */
  ask: (prompt: string) => Promise<string | undefined>
  /** quiz --random without --seed: a fresh seed. */
  newSeed: () => number
  /** backprop-tutor playground: the page, built with the command line (dist/playground.html); without it, the command says so. */
  playground?: () => Promise<string>
}

/** An input past its limit: reading stopped there. */
export class TooLong extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} characters`)
  }
}

/** An output that could not be written: `target` is stdout or the file, `code` the system's (ENOSPC). */
export class OutputError extends Error {
  constructor(
    readonly target: string,
    readonly code: string,
    reason: string,
  ) {
    super(reason)
  }
}
