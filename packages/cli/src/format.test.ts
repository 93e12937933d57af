import { describe, expect, it } from 'vitest';
import { escapeControls, formatCell, formatCount, formatInt, formatMultiple, formatPct, formatSeconds, formatUsd } from './format.js';

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

  it('puts the noun of a count in the right number', () => {
    expect(formatCount(1, 'day', 'days')).toBe('1 day');
    expect(formatCount(0, 'day', 'days')).toBe('0 days');
    expect(formatCount(1234, 'user', 'users')).toBe('1,234 users');
  });

  it('shows control characters from the data as escapes, so they never reach the terminal', () => {
    expect(escapeControls('user\x1b[2J\x1b]0;pwned\x07')).toBe('user\\x1B[2J\\x1B]0;pwned\\x07');
    expect(escapeControls('a\rb\nc\td\x00e\x7f\x9b')).toBe('a\\x0Db\\x0Ac\\x09d\\x00e\\x7F\\x9B');
    expect(escapeControls('admin\u202etxt.exe\u2066')).toBe('admin\\u202Etxt.exe\\u2066');
    expect(escapeControls('élève 🙂 team-42 a\\b')).toBe('élève 🙂 team-42 a\\b');
    expect(formatCell('text', 'u\x1b[31m')).toBe('u\\x1B[31m');
  });
});
