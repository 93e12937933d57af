import { describe, expect, it } from 'vitest';
import { describeWindow } from './report.js';

const at = (iso: string) => new Date(iso);

describe('describeWindow', () => {
  it('names the window with its length in days, or hours when that is not whole', () => {
    expect(describeWindow({ from: at('2026-11-21T12:00:00Z'), to: at('2026-11-22T12:00:00Z') })).toBe('2026-11-21 12:00 → 2026-11-22 12:00 UTC (1 day)');
    expect(describeWindow({ from: at('2026-10-23T12:00:00Z'), to: at('2026-11-22T12:00:00Z') })).toBe('2026-10-23 12:00 → 2026-11-22 12:00 UTC (30 days)');
    expect(describeWindow({ from: at('2026-11-22T11:00:00Z'), to: at('2026-11-22T12:00:00Z') })).toBe('2026-11-22 11:00 → 2026-11-22 12:00 UTC (1 hour)');
    expect(describeWindow({ from: at('2026-11-21T00:00:00Z'), to: at('2026-11-22T12:00:00Z') })).toBe('2026-11-21 00:00 → 2026-11-22 12:00 UTC (36 hours)');
    expect(describeWindow({ from: at('2026-11-22T11:30:00Z'), to: at('2026-11-22T12:00:00Z') })).toBe('2026-11-22 11:30 → 2026-11-22 12:00 UTC (0.5 hours)');
  });
});
