// Long rows of an align* block broken across lines, as a printed page needs (pdflatex does not break
// display maths): a row's chain of equalities one `= …` per line, then a sum too long for a line
// continued on the next with its sign, `&\quad + …`. Widths are estimated from the TeX itself.

/** Estimated width of a row that fits an article's text width (345 pt) at 10 pt, in characters. */
export const LINE_WIDTH = 57

/** The contents of the brace group opening at `at` (which is '{'), and the index after it. */
function group(tex: string, at: number): [string, number] {
  let depth = 0
  for (let i = at; i < tex.length; i++) {
    if (tex[i] === '{' && tex[i - 1] !== '\\') depth++
    else if (tex[i] === '}' && tex[i - 1] !== '\\' && --depth === 0) return [tex.slice(at + 1, i), i + 1]
  }
  return [tex.slice(at + 1), tex.length]
}

/** About how many characters wide TeX is set: a fraction as its wider part, scripts smaller, commands as one sign. */
export function texWidth(tex: string): number {
  let width = 0
  let i = 0
  while (i < tex.length) {
    const c = tex[i]!
    if (c === '\\') {
      const name = /^\\([A-Za-z]+|.)/.exec(tex.slice(i))![1]!
      i += name.length + 1
      if (name === 'frac') {
        const [top, afterTop] = group(tex, tex.indexOf('{', i))
        const [bottom, afterBottom] = group(tex, tex.indexOf('{', afterTop))
        width += Math.max(texWidth(top), texWidth(bottom))
        i = afterBottom
      } else if (['mathrm', 'text', 'operatorname', 'texttt', 'hat', 'bar', 'tilde', 'dot', 'vec', 'sqrt'].includes(name) && tex[i] === '{') {
        const [inner, after] = group(tex, i)
        width += texWidth(inner) + (name === 'sqrt' ? 1 : 0)
        i = after
      } else if (name === 'left' || name === 'right' || name === ',' || name === ' ') {
        width += name === 'left' || name === 'right' ? 0 : 0.3
      } else if (name === 'quad') width += 2
      // A binary operator takes its spacing on either side.
      else width += name === 'cdot' || name === 'times' ? 1.5 : 1
    } else if (c === '_' || c === '^') {
      i++
      if (tex[i] === '{') {
        const [inner, after] = group(tex, i)
        width += 0.7 * texWidth(inner)
        i = after
      } else {
        width += 0.7
        i++
      }
    } else {
      // && opens a column of notes, set apart by a gap.
      width +=
        c === '&' && tex[i + 1] === '&'
          ? 3
          : c === '{' || c === '}' || c === ' ' || c === '&'
            ? 0
            : c === '+' || c === '-' || c === '='
              ? 2.2
              : c === '(' || c === ')'
                ? 0.75
                : 1
      i += c === '&' && tex[i + 1] === '&' ? 2 : 1
    }
  }
  return width
}

/** Splits `text` at each top-level occurrence of one of `seps` (outside braces and brackets), keeping the separator with the part after it. */
function splitTop(text: string, seps: string[]): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if ((c === '{' || c === '(' || c === '[') && text[i - 1] !== '\\') depth++
    else if ((c === '}' || c === ')' || c === ']') && text[i - 1] !== '\\') depth--
    else if (depth === 0) {
      const sep = seps.find((s) => text.startsWith(s, i))
      if (sep && i > start) {
        parts.push(text.slice(start, i))
        start = i
        i += sep.length - 1
      }
    }
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim()).filter((p) => p !== '')
}

/**
 * One row of an align* block (`lhs &= a = b && note`) as the lines it takes: unchanged when it fits,
 * else each `= …` on its own line, and a sum or product still too wide continued with `&\quad + …`
 * or `&\quad \cdot …`.
 */
export function breakRow(row: string, inlineNotes = false, indent?: number): string[] {
  const amp = row.indexOf('&')
  if (amp < 0) return [row]
  const lhs = row.slice(0, amp).trim()
  // Every line's right side starts where the block's widest left side ends.
  const left = Math.max(indent ?? 0, texWidth(lhs))
  const fits = (line: string, room = LINE_WIDTH) => left + texWidth(line.startsWith(lhs) ? line.slice(lhs.length) : line) <= room
  if ((!inlineNotes || !row.includes('&&')) && fits(row)) return [row]
  let rest = row.slice(amp + 1)
  // A note after && stays on the last line; the column of notes takes its width from every line.
  const noteAt = rest.indexOf('&&')
  const note = noteAt >= 0 ? ` ${rest.slice(noteAt).trim()}` : ''
  if (noteAt >= 0) rest = rest.slice(0, noteAt)
  const room = LINE_WIDTH - (note && !inlineNotes ? texWidth(note) : 0)
  const equalities = splitTop(rest.trim(), ['= ']).map((part) => part.replace(/^=\s*/, ''))
  const lines: string[] = []
  equalities.forEach((expression, k) => {
    const lead = k === 0 ? `${lhs} &= ` : '&= '
    if (fits(lead + expression, room)) {
      lines.push(lead + expression)
      return
    }
    // A long sum or product: as many terms per line as fit, each further line starting with its sign.
    const terms = splitTop(expression, [' + ', ' - ', ' \\cdot '])
    let line = lead + terms[0]!
    for (const term of terms.slice(1)) {
      if (!fits(`${line} ${term}`, room)) {
        lines.push(line)
        line = `&\\quad ${term}`
      } else line += ` ${term}`
    }
    lines.push(line)
  })
  if (!note) return lines
  if (!inlineNotes) {
    lines[lines.length - 1] += note
    return lines
  }
  // A note set inline follows its row, or takes lines of its own, broken between words, where it does not fit.
  const text = /^\s*&&\s*\\text\{(.*)\}\s*$/.exec(note)?.[1]
  if (text === undefined) {
    lines[lines.length - 1] += ` \\qquad ${note.replace(/^\s*&&\s*/, '')}`
    return lines
  }
  if (fits(`${lines[lines.length - 1]} \\qquad \\text{${text}}`)) {
    lines[lines.length - 1] += ` \\qquad \\text{${text}}`
    return lines
  }
  let chunk = ''
  for (const word of text.split(' ')) {
    if (chunk && !fits(`&\\qquad \\text{${chunk} ${word}}`)) {
      lines.push(`&\\qquad \\text{${chunk}}`)
      chunk = word
    } else chunk = chunk ? `${chunk} ${word}` : word
  }
  if (chunk) lines.push(`&\\qquad \\text{${chunk}}`)
  return lines
}

/**
 * The rows of an align* block as lines. Notes after && form a column that starts after the widest
 * row: where that column would run off the page, every note is set inline after its own row instead.
 */
export function blockLines(rows: string[]): string[] {
  let widest = 0
  let widestNote = 0
  for (const row of rows) {
    const at = row.indexOf('&&')
    widest = Math.max(widest, texWidth(at >= 0 ? row.slice(0, at) : row))
    if (at >= 0) widestNote = Math.max(widestNote, texWidth(row.slice(at)))
  }
  // Notes are short words, set a little narrower than the estimate (measured: about 5.5 pt a character, not 6).
  const inline = widestNote > 0 && Math.min(widest, LINE_WIDTH) + widestNote > LINE_WIDTH + 5
  let indent = 0
  for (const row of rows) if (row.includes('&')) indent = Math.max(indent, texWidth(row.slice(0, row.indexOf('&'))))
  return rows.flatMap((row) => breakRow(row, inline, indent))
}
