// The one number formatter every renderer uses.

/** Significant digits shown when --precision is not given. */
export const DEFAULT_PRECISION = 6

/**
 * A number rounded to `precision` significant digits, trailing zeros trimmed, -0 shown as 0,
 * plain decimals between 1e-6 and 1e15 and exponent notation outside (1.5e-7, 2e+21).
 * `precision` undefined means shortest round-trip (for JSON strings).
 */
export function formatNumber(x: number, precision?: number): string {
  if (precision === undefined) return formatted(x, precision)
  // A big table prints the same few numbers (its variables' values, 1, 0.5) hundreds of thousands of times.
  const cache = (CACHES[precision] ??= new Map())
  let text = cache.get(x)
  if (text === undefined) {
    if (cache.size >= CACHE_SIZE) cache.clear()
    text = formatted(x, precision)
    cache.set(x, text)
  }
  return text
}

/** Numbers remembered per precision; past this many the memory starts again (a table of distinct values gains nothing). */
const CACHE_SIZE = 4096
const CACHES: Map<number, string>[] = []

function formatted(x: number, precision: number | undefined): string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  if (x === 0) return '0'
  if (precision !== undefined && precision <= 15) {
    // Fast path for the common case: toPrecision's digits with their trailing zeros trimmed are
    // what the general path below prints, in either form. (Up to 15 digits a decimal names one
    // double, so no shorter decimal prints it; 16-17 digits take the general path.)
    const fixed = x.toPrecision(precision)
    const e = fixed.indexOf('e')
    if (e < 0) {
      if (Math.abs(x) >= 1e-6 && Math.abs(x) < 1e15) return trimZeros(fixed)
    } else {
      const exponent = Number(fixed.slice(e + 1))
      // Not for subnormals (below about 2.2e-308): there fewer digits name the same double.
      if ((exponent < -6 && exponent > -308) || exponent >= 15) return `${trimZeros(fixed.slice(0, e))}e${fixed.slice(e + 1)}`
    }
  }
  const rounded = precision === undefined ? x : Number(x.toPrecision(precision))
  if (rounded === 0) return '0'
  const abs = Math.abs(rounded)
  if (abs >= 1e-6 && abs < 1e15) {
    // toString is shortest round-trip and plain decimal in this range (except below 1e-6).
    return String(rounded)
  }
  // Exponent form, mantissa trimmed: 1.5e-7, 2e+21.
  const [mantissa, exponent] = rounded.toExponential().split('e') as [string, string]
  return `${mantissa}e${exponent}`
}

/** 1.50000 → 1.5, 2.000 → 2; digits without a point are left alone. */
function trimZeros(digits: string): string {
  if (!digits.includes('.')) return digits
  let end = digits.length
  while (digits.charCodeAt(end - 1) === 48) end--
  if (digits.charCodeAt(end - 1) === 46) end--
  return end === digits.length ? digits : digits.slice(0, end)
}

/** Validates a --precision value: an integer from 1 to 17. */
export function isValidPrecision(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 17
}

/** A count in a sentence, its thousands grouped: 101,770 (the same bytes whatever the locale). */
export const countText = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
