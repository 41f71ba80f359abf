// The colours of the terminal view as the renderers use them. The CLI passes chalk's instance, which
// has this shape; a tool may pass any functions of its own; without them the text stays plain. The
// public types need no colour library.
type Paint = (text: string) => string

export interface Colors {
  bold: Paint
  dim: Paint
  green: Paint
  red: Paint
  yellow: Paint
}

const same: Paint = (text) => text

export const PLAIN: Colors = { bold: same, dim: same, green: same, red: same, yellow: same }
