// Every limit of the tutor in one place: how big a program may be, and how much of a big one is
// written out. Each has a row in ARCHITECTURE.md's table of limits; the README quotes them.
export const LIMITS = {
  /** Characters of program text (4 MiB). */
  maxLength: 4 * 1024 * 1024,
  /** Numbers and names in a program: bounds the graph, and the time and memory of a trace. */
  maxTerms: 300_000,
  /**
   * Nodes of a program's graph: the tables hold about 4 KB a node at their peak (rows are kept
   * until a column's widest cell is known), so 200,000 nodes stay under 1 GB in every format.
   */
  maxNodes: 200_000,
  /**
   * Nodes of a program traced in symbols (some variable has no value). Each value, local derivative
   * and gradient is then an expression of up to maxSymTerms terms: about 10 KB a node at the peak
   * on the costliest shapes (sums of products of 16 factors: 0.78 GB at 80,000 nodes with the
   * tables), against about 4 KB for numbers.
   */
  maxSymbolicNodes: 80_000,
  /** Nesting of parentheses, ^ chains and unary signs: mathjs's parser is recursive and overflows at a few hundred. */
  maxNesting: 100,
  /**
   * Terms (numbers and names) of a symbolic value or gradient that is written out; a longer one is
   * written by the program's name for it (h1, ∂L/∂h1) where it has one, else said to be too long.
   */
  maxSymTerms: 16,
  /**
   * Operations of such an expression: sin(sin(…(x)…)) has one term however deep, and an
   * expression as deep as its program would be as long to write and deep to read.
   */
  maxSymOperations: 48,
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
  /** Steps of one for loop in a tensor program, and statements all its loops expand to. */
  maxLoopSteps: 1000,
  maxLoopStatements: 10_000,
  headerSize: 40,
  /**
   * Nodes --format svg lays out: Graphviz's layout grows faster than the graph (2,000 nodes take
   * 2 s, 4,000 take 12 s) and its WebAssembly build overflows its stack at about 4,200.
   */
  maxDrawnNodes: 1000,
  /**
   * Nodes of a note (--format markdown or latex), which is built whole: a note of 50,000 nodes in
   * symbols took 1.1 GB; 30,000 stay under 0.8 GB. A note bigger than that is not read.
   */
  maxNoteNodes: 30_000,
  /** Nodes of a quiz, which asks every step (about five questions a node): 10,000 nodes is 50,000 questions. */
  maxQuizNodes: 10_000,
  /** Operations of a tensor program: one node per tensor operation, so programs stay short. */
  maxTensorNodes: 10_000,
  /** Entries of one tensor (32 MB of doubles): a batch of 4,096 MNIST images is 3.2 million. */
  maxTensorEntries: 4_000_000,
  /** Entries of all the forward values of a tensor program together; gradients and contributions take as much again each. */
  maxTotalEntries: 16_000_000,
  /** Multiply-adds of one matrix product: a 1000×1000 by 1000×1000 product takes about a second. */
  maxProductWork: 1_000_000_000,
  /** Multiply-adds of the tangent passes of --mode forward on a tensor program, together: about a second here. */
  maxTensorForwardWork: 1_000_000_000,
  /** Multiply-adds of one --lr run on a tensor program, steps × (forward and backward): about 10 s here. */
  maxTensorTrainingWork: 5_000_000_000,
  /** Entries up to which the gradient check perturbs every entry; past it, random directions. */
  entrywiseCheck: 256,
  /**
   * Characters of a playground link's address after #: a course page links to an exercise, not a
   * program file, and some browsers and mail clients cut longer addresses.
   */
  maxShareLength: 32 * 1024,
  /**
   * Names and numbers of a symbolic tensor formula written out (--shape); a longer gradient is
   * written by its node's name (∂loss/∂z), as for scalars. A layer's formulas are about 10.
   */
  maxMatrixTerms: 40,
  /** Characters of the training run's loss curve. */
  sparklineWidth: 60,
} as const
