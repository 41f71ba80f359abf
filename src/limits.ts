// Every limit of the tutor in one place: how big a program may be, and how much of a big one is
// written out. Each has a row in ARCHITECTURE.md's table of limits; the README quotes them.
export const LIMITS = {
  /** Characters of program text (4 MiB). */
  maxLength: 4 * 1024 * 1024,
  /** Numbers and names in a program: bounds the graph, and the time and memory of a trace. */
  maxTerms: 300_000,
  /** Nesting of parentheses, ^ chains and unary signs: mathjs's parser is recursive and overflows at a few hundred. */
  maxNesting: 100,
  /**
   * Terms (numbers and names) of a symbolic value or gradient that is written out; a longer one is
   * written by the program's name for it (h1, ∂L/∂h1) where it has one, else said to be too long.
   */
  maxSymTerms: 16,
  /** Paths per variable listed in the chains, and edges over all of one variable's listed paths. */
  chainPaths: 16,
  chainEdges: 256,
  /** Node evaluations for all gradient checks together (4 partial forward passes per variable). */
  checkBudget: 4_000_000,
  /** Claims judged in one run of `check`. */
  maxClaims: 1000,
  /** Steps of one --lr run: each is a whole forward and backward pass. */
  maxSteps: 10_000,
  /** Steps × nodes of one --lr run: about 2.5 µs each here, so at most about half a minute. */
  maxTrainingWork: 10_000_000,
  /** Multiply-adds of --mode forward/both: inputs × edges (one tangent pass per input). */
  maxForwardWork: 10_000_000,
  /** Terms written out in a sum of contributions or paths; longer sums are shortened. */
  sumTerms: 6,
  /** Statements the program header spells out, and tree nodes per statement. */
  headerStatements: 12,
  headerSize: 40,
  /**
   * Nodes --format svg lays out: Graphviz's layout grows faster than the graph (2,000 nodes take
   * 2 s, 4,000 take 12 s) and its WebAssembly build overflows its stack at about 4,200.
   */
  maxDrawnNodes: 1000,
  /**
   * Nodes of a note (--format markdown or latex), which is built whole: 50,000 take about 0.5 GB
   * and 4 s; the 600,000 nodes of the largest program would take 4 GB. A note that size is not read.
   */
  maxNoteNodes: 50_000,
  /** Operations of a tensor program: one node per tensor operation, so programs stay short. */
  maxTensorNodes: 10_000,
  /** Entries of one tensor (32 MB of doubles): a batch of 4,096 MNIST images is 3.2 million. */
  maxTensorEntries: 4_000_000,
  /** Entries of all the forward values of a tensor program together; gradients and contributions take as much again each. */
  maxTotalEntries: 16_000_000,
  /** Multiply-adds of one matrix product: a 1000×1000 by 1000×1000 product takes about a second. */
  maxProductWork: 1_000_000_000,
  /** Multiply-adds of one --lr run on a tensor program, steps × (forward and backward): about 10 s here. */
  maxTensorTrainingWork: 5_000_000_000,
  /** Entries up to which the gradient check perturbs every entry; past it, random directions. */
  entrywiseCheck: 256,
  /** Characters of the training run's loss curve. */
  sparklineWidth: 60,
} as const
