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
  /** A bug in backprop-tutor. */
  internal: 70,
} as const

export interface Io {
  /** Writes to stdout; a promise when the reader is behind (a pipe), to be awaited before writing more. */
  stdout: (text: string) => void | Promise<void>
  stderr: (text: string) => void
  readStdin: () => Promise<string>
  readFile: (path: string) => string
  writeFile: (path: string, text: string | Iterable<string>) => void
  /** Chalk's color level for stdout (0 = none); chalk detects it from the TTY, NO_COLOR, FORCE_COLOR. */
  colorLevel: 0 | 1 | 2 | 3
  /** quiz: shows the prompt and reads the student's next line; undefined when the input ends. */
  ask: (prompt: string) => Promise<string | undefined>
  /** quiz --random without --seed: a fresh seed. */
  newSeed: () => number
}
