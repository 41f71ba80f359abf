// The command line's words: help texts, commander's setup per mode, and argv split into options
// and --NAME VALUE bindings (every --NAME that is not an option binds a variable).
import { Command, Option } from 'commander'
import { LIMITS } from '../limits.js'
import { DEFAULT_PRECISION } from '../format.js'
import { GRAPH_PRECISION } from '../render/layout.js'
import { TENSOR_PRECISION } from '../render/tensor-table.js'
import { FORMATS } from '../render/index.js'
import type { Differentiation } from '../modes/forward.js'
import { DEFAULT_TOLERANCE } from '../modes/claims.js'
import { editDistance } from '../bindings.js'
import type { Colors } from '../steps/colors.js'
import { InputError } from '../errors.js'

/** --mode: reverse (the default), forward or both; forward mode is written by table, markdown, latex and json. */
export function differentiation(mode: string | undefined): Differentiation {
  if (mode === undefined) return 'reverse'
  if (mode === 'reverse' || mode === 'forward' || mode === 'both') return mode
  throw new UsageError(`--mode ${mode}: expected reverse, forward or both`)
}

/** --wrt's names; an empty list (--wrt "" or --wrt ,) is refused rather than read as "nothing". */
export function wrtNames(list: string | undefined): string[] | undefined {
  const chosen = names(list)
  if (chosen && chosen.length === 0) throw new UsageError(`--wrt ${JSON.stringify(list)} names nothing; give variables or nodes, as in --wrt x,w`)
  return chosen
}

/** --wrt NAME where the program has no such variable or node: the names it has (constants aside), the first dozen. */
export function unknownWrt(name: string, nodes: readonly { kind: string; label: string }[]): InputError {
  const named = nodes.flatMap((node) => (node.kind === 'constant' ? [] : [node.label]))
  return new InputError(
    `--wrt ${name}: the program has no variable or node ${name} (its variables and nodes: ${named.slice(0, 12).join(', ')}${named.length > 12 ? ', …' : ''})`,
  )
}

/** A comma-separated option value (--wrt x,w; --data X,y) as its names. */
export const names = (list: string | undefined) =>
  list
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)

/** A command line that cannot be run: exit 2, with a pointer to --help. */
export class UsageError extends Error {}

/** package.json's version (a test keeps them equal); a constant, so start-up reads no file. */
export const VERSION = '0.1.0'

const EXAMPLES = `
Examples:
  backprop-tutor "(x*w+b-y)^2" --x 1 --w 1              the mission example: b and y stay symbolic
  backprop-tutor "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2 --format json
  backprop-tutor "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2 --format html -o trace.html   a page to step through
  backprop-tutor "(x*w+b-y)^2" --x 2 --w 0.5 --b 0 --y 3 --mode both            forward and reverse mode
  backprop-tutor "yhat = x*w + b; loss = (yhat - y)^2" --x 2 --w 0.5 --b 0 --y 1
  backprop-tutor "sin(x)^2" --x pi/4 --explain
  backprop-tutor "(x*w+b-y)^2" --x 1 --w 1 --format markdown -o notes.md
  backprop-tutor "(x*w+b-y)^2" --x 1 --w 1 --format svg -o graph.svg
  backprop-tutor "(x*w+b-y)^2" --x 2 --w 0.5 --b 0 --y 3 --data x,y --lr 0.1 --steps 5
  backprop-tutor --file net.txt --set format=1           bind a variable named like an option
  echo "x*x*x" | backprop-tutor - --x 2
  backprop-tutor "z = W*x + b; L = sum(tanh(z))" --W "[1, 2; 3, 4; 5, 6]" --x "[1, -1]" --b "zeros(3)"   a tensor program
  backprop-tutor --file examples/mlp.txt --X @examples/data/xor-inputs.csv --y @examples/data/xor-targets.csv \\
    --W1 "randn(2, 3)" --b1 "zeros(3)" --w2 "randn(3)" --b2 0 --entry "W1[2, 1]"

Modes (each has its own --help):
  backprop-tutor quiz "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2     answer each step, with hints
  backprop-tutor quiz --random --seed 7 --level 2
  backprop-tutor check "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2 --claim "dL/dw = -2"
  backprop-tutor playground -o backprop.html                     the whole tutor in one offline page

Values: --NAME VALUE or --NAME=VALUE binds a variable (negative numbers, 1e-3 and constant
expressions such as pi/4 work); unbound variables stay symbolic.

Exit codes:
  0   the trace was printed
  1   the program or a value is invalid (the message says what and where)
  2   the command line is invalid (unknown option, missing program, unreadable file)
  3   check: a claim is wrong
  70  internal error in backprop-tutor
  74  the output could not be written (a full disk, a missing directory); an earlier -o file is left as it was
`

const QUIZ_HELP = `
The quiz walks through the trace in order: each forward value, each local derivative (①), then
each upstream × local product (②). An answer is a number or an expression whose names stand for
their values (2*(-1), w, 1/(1+exp(-t1))); it counts as right within the tolerance (1% by default,
students round). A wrong answer gets a hint (the rule), then the formula with numbers, then the
answer. An empty line asks for the next hint; q stops. Answers may be piped in, one per line.

Examples:
  backprop-tutor quiz "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2
  backprop-tutor quiz --random --seed 7 --level 2
  backprop-tutor quiz --random --tensor --seed 3                   a layer: shapes, then rules
  printf '%s\\n' -2 -1 2 q | backprop-tutor quiz "x*w" --x 2 --w -1     answers piped in
`

const CHECK_HELP = `
A claim is d A / d B = VALUE, where A and B are node names (x, yhat, t2, L) or the expressions
they compute ((yhat - y)^2, x*w + b; operands of + and * in any order), and VALUE is a number or
an expression in the nodes' values (2*(yhat - y)). ∂ works as well as d. A claim about the
output's gradient is judged with the others: a wrong one is traced back to the first step where
your numbers depart from the true ones. Exit code 3 when a claim is wrong.

Examples:
  backprop-tutor check "(x*w+b-y)^2" --x 1 --w 1 --b 0 --y 2 --claim "dL/dw = -2" --claim "dL/dx = 2"
  backprop-tutor check "yhat = x*w + b; loss = (yhat - y)^2" --x 1 --w 1 --b 0 --y 0 \\
    --claim "d loss / d (yhat - y) = 4"
  backprop-tutor check --file model.txt --claims my-work.txt --x 1 --w 1 --b 0 --y 0
  backprop-tutor check "yhat = x*w + b; loss = (yhat - y)^2" --x 1 --w 1 --b 0 --y 0 --trace my-trace.md
  backprop-tutor check … --trace my-trace.md --annotate -o marked.md

--trace reads a derivation as you wrote it: \\frac{\\partial loss}{\\partial x} = 2, ∂loss/∂x = 2,
dloss/dx, d(x*w)/dx, \\frac{d}{dx}(x w), f'(x); nodes by their expression (\\hat{y} is yhat, xw is
x*w); several claims on a line (\\quad or commas); = and \\approx chains, each step a claim; a line
of numbers under an equation continues it. Each claim is marked with its line: right (✓), wrong
(✗, "the first slip" where it was made), consistent with an earlier slip (≈), or unreadable (?).
`

const PLAYGROUND_HELP = `
Examples:
  backprop-tutor playground -o backprop.html

The page (about 1.2 MB) holds the command line itself and Graphviz, and makes no request: open it
from a file, put it on a course site, or mail it. Type a program and values as on the command line
(--x 1 --w 1); the graph and its steps, the terminal view in reverse and forward mode, check and
quiz follow what you type. The address holds the program, the values and the step
(backprop.html#p=(x*w%2Bb-y)%5E2&x=1&w=1&step=7), to link to one exercise.
`

export type Mode = 'trace' | 'quiz' | 'check' | 'playground'

/** The words that choose a mode when they come first; a program spelled like one is written in parentheses, (quiz). */
export const MODE_WORDS: readonly Mode[] = ['quiz', 'check', 'playground']

/** Per mode: long options that take a value, and flags; every other --NAME binds a variable. */
const MODE_OPTIONS: Record<Mode, { values: string[]; flags: string[] }> = {
  trace: {
    values: [
      'file',
      'format',
      'set',
      'wrt',
      'precision',
      'output',
      'lr',
      'steps',
      'params',
      'data',
      'mode',
      'tangent',
      'width',
      'chains',
      'seed',
      'entry',
      'rankdir',
      'shape',
    ],
    flags: ['explain', 'ascii', 'standalone', 'summary', 'quiz', 'no-color', 'color', 'help', 'version'],
  },
  quiz: {
    values: ['file', 'set', 'precision', 'tolerance', 'seed', 'level', 'mode', 'shape'],
    flags: ['random', 'tensor', 'ascii', 'no-color', 'color', 'help'],
  },
  check: {
    values: ['file', 'format', 'set', 'precision', 'output', 'claim', 'claims', 'trace', 'tolerance', 'seed', 'shape'],
    flags: ['annotate', 'ascii', 'no-color', 'color', 'help'],
  },
  playground: { values: ['output'], flags: ['help'] },
}

const repeatable = (v: string, acc: string[]) => [...acc, v]

export function command(mode: Mode): Command {
  const program = new Command(mode === 'trace' ? 'backprop-tutor' : `backprop-tutor ${mode}`)
  if (mode === 'trace') {
    const formats = Object.entries(FORMATS)
      .map(([name, format]) => `  ${`${name}:`.padEnd(10)}${format.description}`)
      .join('\n')
    program
      .description('Print step-by-step backpropagation traces of a scalar expression, a short program, or a program on vectors and matrices.')
      .version(VERSION, '-V, --version')
      .argument('[program]', 'the expression or statements (separated by ; or newlines); - reads stdin')
      .option('-f, --file <path>', 'read the program from a file')
      .addOption(new Option('--format <name>', 'output format, one of the formats below').default('table'))
      .option('--set <name=value>', 'bind a variable whose name collides with an option (repeatable)', repeatable, [] as string[])
      .option('--mode <mode>', 'reverse (backprop, the default), forward (a tangent pass per input), or both, with what each costs')
      .option(
        '--tangent <direction>',
        "with --mode forward or both on a tensor program: one pass along NAME=VALUE (a tensor shaped like NAME) or one entry, NAME[i, j] (repeatable; default: each variable's first entry)",
        repeatable,
        [] as string[],
      )
      .option('--chains <which>', 'the chains section: short (paths listed while few and short, the default), all, or none')
      .option('--rankdir <LR|TB>', 'graphs (dot, mermaid, svg): left to right or top to bottom (default: whichever fits a page better)')
      .option('--width <columns>', "fold the terminal view at this many columns (default 80; never the terminal's own width)")
      .option('--wrt <names>', 'limit the backward pass, chains and gradients to these variables or named nodes (comma-separated)')
      .option(
        '--precision <digits>',
        `significant digits for numbers (default ${DEFAULT_PRECISION}; ${GRAPH_PRECISION} in graphs, ${TENSOR_PRECISION} in tensor values)`,
      )
      .option('--explain', 'add one plain-language sentence per step')
      .option('--ascii', 'ASCII only: d instead of ∂, * instead of ·, ^2 instead of ²')
      .option('--standalone', 'with --format latex: a whole document, not a fragment')
      .option('--no-color', 'no color, even in a terminal (NO_COLOR and FORCE_COLOR are honoured too)')
      .option('-o, --output <path>', 'write the output to a file instead of stdout')
      .option('--lr <rate>', 'after the trace, gradient descent with this learning rate (table and json formats)')
      .option('--steps <n>', `with --lr: how many steps (default 1, at most ${LIMITS.maxSteps})`)
      .option('--params <names>', 'with --lr: the variables to update (default: every variable not in --data)')
      .option('--data <names>', 'with --lr: variables held fixed, such as inputs and targets')
      .option('--quiz', 'with --format html: the page asks each step before it shows it')
      .option('--seed <n>', 'tensor programs: seeds rand(…) and randn(…) in values (default 0)')
      .option(
        '--entry <name[i, j]>',
        'tensor programs: one entry of a gradient worked scalar by scalar, as W[1, 2] (1-based); with --shape, its formula in index form',
      )
      .option(
        '--shape <name=size>',
        'a symbolic tensor: W=3x2, x=2 (a vector, a column), s= (a scalar); the gradients come out as matrix formulas (repeatable; table and json)',
        repeatable,
        [] as string[],
      )
      .option('--summary', `with --lr: one table, a row per step (the default past 10 steps)`)
      .addHelpText('after', `\nFormats:\n${formats}\n${EXAMPLES}`)
  } else if (mode === 'quiz') {
    program
      .description('Quiz yourself on the trace: each step is asked before it is shown.')
      .argument('[program]', 'the expression or statements (stdin holds the answers: use --file for a long program)')
      .option('-f, --file <path>', 'read the program from a file')
      .option('--set <name=value>', 'bind a variable whose name collides with an option (repeatable)', repeatable, [] as string[])
      .option('--random', 'a generated exercise instead of a program')
      .option('--seed <n>', 'with --random: the exercise number, to get the same one again')
      .option('--level <n>', 'with --random: 1 sums and products, 2 one function and a fan-out, 3 a small network (default 1)')
      .option('--tensor', 'with --random: vectors and matrices; level 1 a layer, 2 a batch with a bias, 3 softmax cross-entropy')
      .option('--shape <name=size>', SHAPE_AT_RANDOM, repeatable, [] as string[])
      .option('--mode <mode>', 'reverse (the backward rows, the default), forward (tangents instead), or both')
      .option('--tolerance <r>', `relative tolerance for answers (default ${DEFAULT_TOLERANCE})`)
      .option('--precision <digits>', `significant digits for numbers (default ${DEFAULT_PRECISION})`)
      .option('--ascii', 'ASCII only: d instead of ∂, * instead of ·')
      .option('--no-color', 'no color, even in a terminal')
      .addHelpText('after', QUIZ_HELP)
  } else if (mode === 'playground') {
    program
      .description('Write the playground: the whole tutor in one page that traces any program a student types, offline, from a file.')
      .option('-o, --output <path>', 'write the page to a file instead of stdout')
      .addHelpText('after', PLAYGROUND_HELP)
  } else {
    program
      .description('Check derivatives worked out by hand: which claims are right, and where a wrong one departs.')
      .argument('[program]', 'the expression or statements; - reads stdin')
      .option('-f, --file <path>', 'read the program from a file')
      .option('--set <name=value>', 'bind a variable whose name collides with an option (repeatable)', repeatable, [] as string[])
      .option('--claim <claim>', 'a claim such as "dL/dx = 4" (repeatable)', repeatable, [] as string[])
      .option('--claims <path>', 'a file of claims, one per line (# starts a comment)')
      .option('--trace <path>', 'a written trace to check line by line: Markdown ($…$, $$…$$, ```math), LaTeX (.tex) or plain text; - reads stdin')
      .option('--annotate', 'with --trace: write the trace itself back, a note after each claim line (-o marked.md)')
      .option('--seed <n>', 'tensor programs: seeds rand(…) and randn(…) in values, as for the trace (default 0)')
      .option('--shape <name=size>', SHAPE_AT_RANDOM, repeatable, [] as string[])
      .addOption(new Option('--format <name>', 'table or json').default('table'))
      .option('--tolerance <r>', `relative tolerance for a claim to count as right (default ${DEFAULT_TOLERANCE})`)
      .option('--precision <digits>', `significant digits for numbers (default ${DEFAULT_PRECISION})`)
      .option('--ascii', 'ASCII only: d instead of ∂, * instead of ·')
      .option('--no-color', 'no color, even in a terminal')
      .option('-o, --output <path>', 'write the verdicts to a file instead of stdout')
      .addHelpText('after', CHECK_HELP)
  }
  // The same help in every terminal, as for the traces.
  return program.configureHelp({ helpWidth: 100 }).exitOverride().showSuggestionAfterError(true)
}

/** --shape in quiz and check: formulas judged at random values of the declared shapes. */
const SHAPE_AT_RANDOM =
  'a tensor declared by its shape, W=3x2, x=2, s= (repeatable): answers are judged as formulas, at random values of that shape (rand, --seed)'

const SHORT_OPTIONS = new Set(['-f', '-o', '-h', '-V'])
/** A name --NAME VALUE or --set NAME=VALUE can bind: a variable name as the parser reads it. */
export const BINDING_NAME = /^[\p{L}_$][\p{L}\p{N}_$]*$/u

/** Splits argv into what commander should see and the --NAME VALUE bindings. */
/**
 * The option of `mode` that `name` is probably a typo of: one edit away for names up to 5
 * letters, two for longer (precison, asci, frmat, explian); never for short names like w or lr,
 * which are more likely variables.
 */
export function optionTypo(name: string, mode: Mode): string | undefined {
  // --latex, --json: a format asked for as an option of its own.
  if (mode === 'trace' && Object.hasOwn(FORMATS, name.toLowerCase())) return `format ${name.toLowerCase()}`
  if (name.length < 4) return undefined
  const limit = name.length >= 6 ? 2 : 1
  let best: string | undefined
  let bestDistance = limit + 1
  for (const option of [...MODE_OPTIONS[mode].values, ...MODE_OPTIONS[mode].flags]) {
    const d = editDistance(name.toLowerCase(), option)
    if (d < bestDistance) [best, bestDistance] = [option, d]
  }
  return best
}

export function splitArgs(argv: string[], mode: Mode): { options: string[]; positionals: string[]; bindings: [string, string][] } {
  const valueOptions = new Set(MODE_OPTIONS[mode].values)
  const flagOptions = new Set(MODE_OPTIONS[mode].flags)
  const options: string[] = []
  const positionals: string[] = []
  const bindings: [string, string][] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (token === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (token.startsWith('--')) {
      const eq = token.indexOf('=')
      const name = token.slice(2, eq < 0 ? undefined : eq)
      if (valueOptions.has(name) || flagOptions.has(name)) {
        options.push(token)
        if (valueOptions.has(name) && eq < 0) options.push(optionValue(argv, ++i, token))
        continue
      }
      if (!BINDING_NAME.test(name)) {
        // --x+1 is a program that starts with two minus signs, not an option.
        const program = /[^\p{L}\p{N}_$=-]/u.test(name)
          ? `; a program that starts with - goes last, after --, as in: backprop-tutor --NAME VALUE … -- "${token}" (or comes from stdin with -)`
          : ''
        throw new UsageError(`unknown option ${token}${program}`)
      }
      if (eq >= 0) bindings.push([name, token.slice(eq + 1)])
      else if (i + 1 < argv.length) bindings.push([name, argv[++i]!])
      else {
        const near = optionTypo(name, mode)
        throw new UsageError(near ? `unknown option --${name}; did you mean --${near}?` : `--${name} needs a value, as in --${name} 1`)
      }
      continue
    }
    if (SHORT_OPTIONS.has(token)) {
      options.push(token)
      if (token === '-f' || token === '-o') options.push(optionValue(argv, ++i, token))
      continue
    }
    // Anything else, including "-x^2" and "-", is the program.
    positionals.push(token)
  }
  return { options, positionals, bindings }
}

/**
 * The words of argv (as `from` reads them) that `to` reads the same way: every binding, and the
 * options both modes have (but `except`), each with its value. The playground runs quiz and check
 * on the values box of a trace, where --wrt or --explain mean nothing, and its page without --lr.
 */
export function sharedWords(argv: string[], from: Mode, to: Mode, except: string[] = []): string[] {
  const { options, bindings } = splitArgs(argv, from)
  const kept = { values: MODE_OPTIONS[to].values.filter((o) => !except.includes(o)), flags: MODE_OPTIONS[to].flags.filter((o) => !except.includes(o)) }
  const out: string[] = []
  for (let i = 0; i < options.length; i++) {
    const token = options[i]!
    const eq = token.indexOf('=')
    const name = token.startsWith('--') ? token.slice(2, eq < 0 ? undefined : eq) : token
    const takesValue = MODE_OPTIONS[from].values.includes(name) ? eq < 0 : token === '-f' || token === '-o'
    const keep = kept.values.includes(name) || kept.flags.includes(name)
    if (keep) out.push(token)
    if (takesValue) {
      if (keep) out.push(options[i + 1]!)
      i++
    }
  }
  // A variable named like one of `to`'s options (level, mode) is bound with --set there.
  const option = (name: string) => kept.values.includes(name) || kept.flags.includes(name)
  return [...out, ...bindings.flatMap(([name, value]) => (option(name) ? ['--set', `${name}=${value}`] : [`--${name}`, value]))]
}

function optionValue(argv: string[], i: number, option: string): string {
  const value = argv[i]
  if (value === undefined || value === '--') throw new UsageError(`${option} needs a value`)
  return value
}

export interface Parsed {
  /** --shape NAME=SIZE: declared symbolic tensors (traced in symbols; quiz and check judge formulas at random values of them). */
  shape?: string[]
  file?: string
  format: string
  set: string[]
  wrt?: string
  mode?: string
  tangent?: string[]
  width?: string
  chains?: string
  precision?: string
  explain?: boolean
  ascii?: boolean
  standalone?: boolean
  color: boolean
  output?: string
  lr?: string
  steps?: string
  params?: string
  data?: string
  summary?: boolean
  quiz?: boolean
  random?: boolean
  tensor?: boolean
  seed?: string
  entry?: string
  rankdir?: string
  level?: string
  tolerance?: string
  claim: string[]
  claims?: string
  trace?: string
  annotate?: boolean
}

/** A command line checked whole (cli/main.ts), as each mode reads it. */
export interface Request {
  mode: Mode
  opts: Parsed
  /** Names bound as --NAME VALUE (not with --set): a name that is no variable may be a mistyped option. */
  dashed: string[]
  positionals: string[]
  values: Record<string, string>
  precision: number
  tolerance: number
  chalkFor: (toFile: boolean) => Colors
}
