import { describe, expect, it } from 'vitest';
import { renderCsv, renderTable } from './render.js';
import type { Column } from './render.js';

const columns: Column[] = [
  { key: 'tier', header: 'Tier', kind: 'text' },
  { key: 'revenueUsd', header: 'Revenue', kind: 'usd' },
  { key: 'grossMarginPct', header: 'Margin %', kind: 'pct' },
];
const rows = [
  { tier: 'enterprise', revenueUsd: 11940, grossMarginPct: 90.77 },
  { tier: 'free', revenueUsd: 0, grossMarginPct: null },
];

describe('renderTable', () => {
  it('aligns text left and numbers (and their headings) right under a rule', () => {
    expect(renderTable(columns, rows)).toBe(
      [
        'Tier           Revenue  Margin %',
        '──────────  ──────────  ────────',
        'enterprise  $11,940.00     90.8%',
        'free             $0.00         —',
        '',
      ].join('\n'),
    );
  });

  it('says so when there are no rows', () => {
    expect(renderTable(columns, [])).toContain('(no data in this window)');
  });
});

describe('renderCsv', () => {
  it('has a header of field names and raw values; null is empty; fields with commas or quotes are quoted', () => {
    expect(renderCsv(columns, [...rows, { tier: 'a,"b"', revenueUsd: 1.23456789, grossMarginPct: -5 }])).toBe(
      ['tier,revenueUsd,grossMarginPct', 'enterprise,11940,90.77', 'free,0,', '"a,""b""",1.23456789,-5', ''].join('\n'),
    );
  });
});
