// The tree of a tensor program as parse.ts copies it out of mathjs: mathjs's node kinds, without
// mathjs. Tensor programs are short (one node per tensor operation), so the copy is recursive.
export type Syntax =
  | { kind: 'number'; value: unknown }
  | { kind: 'name'; name: string }
  | { kind: 'array'; items: Syntax[] }
  /** An operator by mathjs's function name (add, multiply, dotMultiply, ctranspose) and its sign. */
  | { kind: 'operator'; fn: string; op: string; args: Syntax[] }
  /** A call; `name` undefined when the callee is not a plain name. */
  | { kind: 'call'; name: string | undefined; args: Syntax[] }
  | { kind: 'entry'; object: Syntax; index: Syntax[]; dot: boolean }
  /** A range inside an index: `a:b`, `:` (1:end), `a:end`. */
  | { kind: 'range'; start: Syntax; end: Syntax; step: Syntax | undefined }
  /** `target` undefined when the left side is not a plain name (A[1] = …). */
  | { kind: 'assign'; target: string | undefined; value: Syntax }
  /** Anything else mathjs reads (ranges, conditionals, objects), by mathjs's node type. */
  | { kind: 'other'; type: string }
