import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRow, replacePlans } from './plans.js';
import { reportByWeek } from './report.js';
import { TestChdb, insertSpans, spanRow } from './test-support/chdb.js';

const at = (iso: string) => new Date(iso);

let ch: TestChdb;
let db: string;

/**
 * solo costs $30 a month ($1 a day per user), free $0. The window runs from Wednesday 7 January
 * 2026 to Wednesday 21 January, noon: 5 days of the week of Monday 5 January, 7 of the week of the
 * 12th and 2.5 of the week of the 19th.
 */
beforeAll(async () => {
  ch = new TestChdb();
  db = await ch.database();
  await replacePlans(ch.client, db, [
    planRow({ kind: 'tier', key: 'solo', tier: 'solo', monthlyPriceUsd: 30 }),
    planRow({ kind: 'tier', key: 'free', tier: 'free', monthlyPriceUsd: 0 }),
  ]);
  const s = (iso: string, userId: string, tier: string, cost: number) => spanRow({ at: at(iso), UserId: userId, Tier: tier, CostUsd: cost });
  await insertSpans(ch.client, db, [
    s('2026-01-06T12:00:00Z', 'u3', 'solo', 100), // before the window
    s('2026-01-08T12:00:00Z', 'u1', 'solo', 2),
    s('2026-01-09T12:00:00Z', 'u2', 'solo', 1),
    s('2026-01-13T12:00:00Z', 'f1', 'free', 0.5),
    s('2026-01-14T12:00:00Z', 'u1', 'solo', 3),
    s('2026-01-15T12:00:00Z', 'u2', 'solo', 3),
    s('2026-01-16T12:00:00Z', 'u3', 'solo', 3),
    s('2026-01-21T10:00:00Z', 'u1', 'solo', 1),
    s('2026-01-21T13:00:00Z', 'u2', 'solo', 50), // after the window
  ]);
});
afterAll(async () => {
  await ch.close();
});

describe('reportByWeek', () => {
  it('gives cost per active user, AI COGS % and margin per tier per week, each week prorated by its days in the window', async () => {
    const weeks = await reportByWeek(ch.client, db, { from: at('2026-01-07T00:00:00Z'), to: at('2026-01-21T12:00:00Z') });
    expect(weeks).toEqual([
      // u1 $2, u2 $1 over 5 days: revenue 2 × $30 × 5 / 30.
      { week: '2026-01-05', tier: 'solo', weekDays: 5, activeUsers: 2, revenueUsd: 10, costUsd: 3, grossMarginUsd: 7, grossMarginPct: 70, costPerUserUsd: 1.5, aiCogsPct: 30 },
      { week: '2026-01-12', tier: 'free', weekDays: 7, activeUsers: 1, revenueUsd: 0, costUsd: 0.5, grossMarginUsd: -0.5, grossMarginPct: null, costPerUserUsd: 0.5, aiCogsPct: null },
      { week: '2026-01-12', tier: 'solo', weekDays: 7, activeUsers: 3, revenueUsd: 21, costUsd: 9, grossMarginUsd: 12, grossMarginPct: (100 * 12) / 21, costPerUserUsd: 3, aiCogsPct: (100 * 9) / 21 },
      // Monday 00:00 to Wednesday 12:00; the $50 at 13:00 is after the window.
      { week: '2026-01-19', tier: 'solo', weekDays: 2.5, activeUsers: 1, revenueUsd: 2.5, costUsd: 1, grossMarginUsd: 1.5, grossMarginPct: 60, costPerUserUsd: 1, aiCogsPct: 40 },
    ]);
  });
});
