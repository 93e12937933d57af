import { describe, expect, it } from 'vitest';
import { parseCsv, parseUsersCsv } from './usersCsv.js';

const TIERS = ['free', 'solo', 'team'];

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and newlines, CRLF line ends and a byte-order mark, and skips blank lines', () => {
    const { records, error } = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n');
    expect(error).toBeUndefined();
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['two\nlines', 'z'] },
    ]);
  });

  it('keeps a last record without a line end and empty fields', () => {
    expect(parseCsv('a,,c').records).toEqual([{ line: 1, fields: ['a', '', 'c'] }]);
  });

  it('names the line of a quoted field that is never closed', () => {
    expect(parseCsv('a,b\n"open,b\nmore').error).toBe('line 2: a quoted field is not closed');
  });
});

describe('parseUsersCsv', () => {
  it('reads users in any column order, header names in any case or separator style, the price optional', () => {
    const text = 'Tier,User ID,signup_date,monthly-price-usd\nsolo,u1,2025-11-03,\nteam, u2 ,2025-12-01T09:30:00Z,39.5\n';
    expect(parseUsersCsv(text, TIERS)).toEqual({
      ok: true,
      users: [
        { userId: 'u1', tier: 'solo', signupDate: '2025-11-03', monthlyPriceUsd: null },
        { userId: 'u2', tier: 'team', signupDate: '2025-12-01', monthlyPriceUsd: 39.5 },
      ],
    });
    expect(parseUsersCsv('userId,tier,signupDate\nu1,solo,2025-11-03\n', TIERS)).toMatchObject({ ok: true, users: [{ monthlyPriceUsd: null }] });
  });

  it('checks every row and names the line and the field of each problem', () => {
    const text = [
      'userId,tier,signupDate,monthlyPriceUsd',
      'ok1,solo,2025-01-01,',
      'bad1,gold,2025-01-01,',
      'bad2,solo,2025-02-30,',
      'bad3,solo,2025-01-01,$19',
      'ok1,team,2025-01-01,',
      'short,solo',
      ',solo,March 3,',
    ].join('\n');
    expect(parseUsersCsv(text, TIERS)).toEqual({
      ok: false,
      errors: [
        'line 3: tier: expected one of the plan file\'s tiers (free, solo, team), got "gold"',
        'line 4: signupDate: expected a calendar date as YYYY-MM-DD, got "2025-02-30"',
        'line 5: monthlyPriceUsd: expected a number ≥ 0 such as 19 or 19.99, or nothing for the tier\'s price, got "$19"',
        'line 6: userId: "ok1" is already on line 2',
        'line 7: expected 4 fields (userId, tier, signupDate, monthlyPriceUsd), got 2',
        'line 8: userId: expected a non-empty user id, got ""',
        'line 8: signupDate: expected a date as YYYY-MM-DD, got "March 3"',
      ],
    });
  });

  it('rejects a header it does not know, one without a required column, and a file without users', () => {
    expect(parseUsersCsv('userId,tier,signup,price\n', TIERS)).toEqual({
      ok: false,
      errors: [
        'line 1: unknown column "signup" (expected userId, tier, signupDate and optionally monthlyPriceUsd)',
        'line 1: unknown column "price" (expected userId, tier, signupDate and optionally monthlyPriceUsd)',
        'line 1: missing column signupDate (expected userId, tier, signupDate and optionally monthlyPriceUsd)',
      ],
    });
    expect(parseUsersCsv('userId,user_id,tier,signupDate\n', TIERS)).toEqual({ ok: false, errors: ['line 1: column userId appears 2 times'] });
    expect(parseUsersCsv('userId,tier,signupDate\n', TIERS)).toEqual({ ok: false, errors: ['line 1: no users after the header row'] });
    expect(parseUsersCsv('', TIERS)).toMatchObject({ ok: false, errors: [expect.stringMatching(/^the file is empty/)] });
  });

  it('accepts any tier when the plan file names none', () => {
    expect(parseUsersCsv('userId,tier,signupDate\nu1,gold,2025-11-03\n')).toMatchObject({ ok: true, users: [{ tier: 'gold' }] });
  });
});
