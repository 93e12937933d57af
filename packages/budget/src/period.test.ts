import { describe, expect, it } from 'vitest';
import { PeriodCalendar } from './period.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('PeriodCalendar', () => {
  it('uses calendar months in UTC by default', () => {
    const p = new PeriodCalendar().periodAt(Date.parse('2026-02-14T10:00:00Z'));
    expect([iso(p.startMs), iso(p.endMs)]).toEqual(['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
  });

  it('rolls over at the exact reset instant', () => {
    const cal = new PeriodCalendar();
    expect(iso(cal.periodAt(Date.parse('2026-02-28T23:59:59.999Z')).endMs)).toBe('2026-03-01T00:00:00.000Z');
    expect(iso(cal.periodAt(Date.parse('2026-03-01T00:00:00.000Z')).startMs)).toBe('2026-03-01T00:00:00.000Z');
  });

  it('honours a reset day across the year end', () => {
    const p = new PeriodCalendar({ resetDay: 15 }).periodAt(Date.parse('2026-01-03T00:00:00Z'));
    expect([iso(p.startMs), iso(p.endMs)]).toEqual(['2025-12-15T00:00:00.000Z', '2026-01-15T00:00:00.000Z']);
  });

  it('resets at local midnight in a time zone, through daylight saving', () => {
    const cal = new PeriodCalendar({ timeZone: 'America/New_York' });
    // 1 March is EST (UTC−5), 1 April EDT (UTC−4).
    const p = cal.periodAt(Date.parse('2026-03-20T12:00:00Z'));
    expect([iso(p.startMs), iso(p.endMs)]).toEqual(['2026-03-01T05:00:00.000Z', '2026-04-01T04:00:00.000Z']);
    // 00:30 UTC on 1 March is still February in New York.
    expect(iso(cal.periodAt(Date.parse('2026-03-01T00:30:00Z')).startMs)).toBe('2026-02-01T05:00:00.000Z');
  });
});
