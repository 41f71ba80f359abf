// The one number formatter: significant digits, trimmed zeros, and where exponent notation starts.
import { describe, expect, it } from 'vitest'
import { formatNumber } from '../src/format.js'

describe('formatNumber', () => {
  it.each([
    [0.1 + 0.2, 6, '0.3'],
    [2 / 3, 6, '0.666667'],
    [1234567, 3, '1230000'],
    [-0, 6, '0'],
    [1e-6, 6, '0.000001'],
    [9.9999996e-7, 6, '0.000001'],
    [1.5e-7, 6, '1.5e-7'],
    [-1.234567e-137, 6, '-1.23457e-137'],
    [999999999999999, 15, '999999999999999'],
    [1e15, 6, '1e+15'],
    [2e21, 6, '2e+21'],
    [1.7976931348623157e308, 6, '1.79769e+308'],
    // Rounding past the largest double still prints the rounded decimal.
    [1.7976931348623157e308, 2, '1.8e+308'],
    [-1.7976931348623157e308, 1, '-2e+308'],
    // Subnormals keep their shortest form: fewer digits name the same double.
    [5e-324, 6, '5e-324'],
    [0.1 + 0.2, 17, '0.30000000000000004'],
    [0.1 + 0.2, undefined, '0.30000000000000004'],
    [NaN, 6, 'NaN'],
    [-Infinity, 6, '-Infinity'],
  ])('%s at %s digits is %s', (x, precision, text) => {
    expect(formatNumber(x, precision)).toBe(text)
  })
})
