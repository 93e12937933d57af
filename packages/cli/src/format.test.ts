import { describe, expect, it } from 'vitest';
import { formatCell, formatInt, formatMultiple, formatPct, formatSeconds, formatUsd } from './format.js';

describe('format', () => {
  it('formats USD with a thousands separator and cents', () => {
    expect(formatUsd(1234.56)).toBe('$1,234.56');
    expect(formatUsd(1_234_567.891)).toBe('$1,234,567.89');
    expect(formatUsd(14.5)).toBe('$14.50');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(-160.984)).toBe('-$160.98');
  });

  it('keeps four decimals under ten cents, so the cost of one call is not shown as $0.00', () => {
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(0.01374)).toBe('$0.0137');
    expect(formatUsd(-0.00051)).toBe('-$0.0005');
    expect(formatUsd(0.1)).toBe('$0.10');
  });

  it('comes out exactly for the worked examples of the product brief', () => {
    expect(formatUsd(8000 / 5000)).toBe('$1.60');
    expect(formatUsd(19 - 4.5)).toBe('$14.50');
    expect(formatPct((100 * 1.5) / 50)).toBe('3.0%');
  });

  it('formats percentages given as 0–100, and undefined ratios as a dash', () => {
    expect(formatPct(42.123)).toBe('42.1%');
    expect(formatPct(-250)).toBe('-250.0%');
    expect(formatPct(null)).toBe('—');
    expect(formatPct(Number.NaN)).toBe('—');
  });

  it('formats counts, multiples and durations', () => {
    expect(formatInt(163001)).toBe('163,001');
    expect(formatInt(2.6)).toBe('3');
    expect(formatMultiple(3.24)).toBe('3.2×');
    expect(formatMultiple(null)).toBe('—');
    expect(formatSeconds(41_234)).toBe('41.2 s');
  });

  it('formats a cell by its column kind', () => {
    expect(formatCell('usd', 1234.5)).toBe('$1,234.50');
    expect(formatCell('pct', 12.34)).toBe('12.3%');
    expect(formatCell('int', 1000)).toBe('1,000');
    expect(formatCell('text', 'team')).toBe('team');
    expect(formatCell('usd', null)).toBe('—');
  });
});
