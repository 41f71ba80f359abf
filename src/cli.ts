// The command line: argv in, text and an exit code out (cli/main.ts), the real process behind it
// (cli/process.ts, the only module that touches process), its words and options (cli/command.ts)
// and its three modes (cli/modes.ts). `main(argv, io)` lets tests run it without spawning; the
// bundle's entry is this module, and bin/ calls its `run`.
export { FORMATS } from './render/index.js'
export { EXIT, type Io } from './cli/io.js'
export { main } from './cli/main.js'
export { run } from './cli/process.js'
