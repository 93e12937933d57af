import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRow, replacePlans } from './plans.js';
import { suggestCaps } from './report.js';
import type { CapSuggestionRow } from './report.js';
import { TestChdb, insertSpans, spanRow } from './test-support/chdb.js';
import type { SpanRow } from './tables.js';

const WINDOW = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-31T00:00:00Z') }; // D = 30
const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));

let ch: TestChdb;
let rows: Map<string, CapSuggestionRow>;

/**
 * solo ($20, budget $8, target margin 70 %): 11 sessions of one user each costing $0.50, 8 × $1,
 * $2 and $40, so P50 = $1, P90 = $2 (the 10th of 11), P95 = 2 + 0.5 × (40 − 2) = $21; plus mid ($7)
 * and vip ($9, a $50 budget of their own) without sessions.
 * team ($50, budget $20, no target margin but an AI COGS target of 10 %): sessions of $10 and $20.
 * free ($0, budget $1): f1 spends $1.50.
 */
beforeAll(async () => {
  ch = new TestChdb();
  const db = await ch.database();
  await replacePlans(ch.client, db, [
    planRow({ kind: 'tier', key: 'solo', tier: 'solo', monthlyPriceUsd: 20, monthlyBudgetUsd: 8, action: 'warn', targetMarginPct: 70 }),
    planRow({ kind: 'tier', key: 'team', tier: 'team', monthlyPriceUsd: 50, monthlyBudgetUsd: 20, action: 'warn', targetAiCogsPct: 10 }),
    planRow({ kind: 'tier', key: 'free', tier: 'free', monthlyPriceUsd: 0, monthlyBudgetUsd: 1, action: 'block' }),
    planRow({ kind: 'user', key: 'vip', monthlyBudgetUsd: 50 }),
  ]);
  const spans: SpanRow[] = [0.5, 1, 1, 1, 1, 1, 1, 1, 1, 2, 40].map((cost, i) =>
    spanRow({ at: day(2 + i), UserId: `u${i}`, SessionId: `s${i}`, Tier: 'solo', CostUsd: cost }),
  );
  spans.push(
    spanRow({ at: day(15), UserId: 'mid', Tier: 'solo', CostUsd: 7 }),
    spanRow({ at: day(16), UserId: 'vip', Tier: 'solo', CostUsd: 9 }),
    spanRow({ at: day(17), UserId: 't1', SessionId: 'ts1', Tier: 'team', CostUsd: 10 }),
    spanRow({ at: day(18), UserId: 't2', SessionId: 'ts2', Tier: 'team', CostUsd: 5 }),
    spanRow({ at: day(19), UserId: 't2', SessionId: 'ts2', Tier: 'team', CostUsd: 15 }),
    spanRow({ at: day(20), UserId: 'f1', Tier: 'free', CostUsd: 1.5 }),
  );
  await insertSpans(ch.client, db, spans);
  const result = await suggestCaps(ch.client, db, WINDOW);
  expect(result.map((r) => r.tier)).toEqual(['free', 'solo', 'team']);
  rows = new Map(result.map((r) => [r.tier, r]));
});
afterAll(async () => {
  await ch.close();
});

describe('suggestCaps', () => {
  it('gives session cost percentiles, a 3 × P90 session cap and the sessions above it', () => {
    expect(rows.get('solo')).toMatchObject({ sessions: 11, p50SessionUsd: 1, p90SessionUsd: 2, p95SessionUsd: 21, suggestedSessionCapUsd: 6, sessionsOverCap: 1 });
    // P90 of two sessions: 10 + 0.9 × (20 − 10); P95: 10 + 0.95 × 10.
    expect(rows.get('team')).toMatchObject({ sessions: 2, p50SessionUsd: 15, p90SessionUsd: 19, p95SessionUsd: 19.5, suggestedSessionCapUsd: 57, sessionsOverCap: 0 });
  });

  it('suggests the monthly budget that keeps the target margin: price × (1 − target margin)', () => {
    const solo = rows.get('solo')!;
    expect(solo).toMatchObject({ monthlyPriceUsd: 20, targetMarginPct: 70, monthlyBudgetUsd: 8 });
    expect(solo.suggestedBudgetUsd).toBeCloseTo(20 * 0.3, 12);
    // Without a target margin, the AI COGS target's: 100 − 10 = 90 %.
    const team = rows.get('team')!;
    expect(team).toMatchObject({ monthlyPriceUsd: 50, targetMarginPct: 90, monthlyBudgetUsd: 20 });
    expect(team.suggestedBudgetUsd).toBeCloseTo(50 * 0.1, 12);
  });

  it('counts the users the current and the suggested budgets would have stopped', () => {
    // solo: $40 passes $8 (vip's $9 is under their own $50); $40, $9 and $7 pass $6.
    expect(rows.get('solo')).toMatchObject({ activeUsers: 13, usersOverBudget: 1, usersOverSuggestedBudget: 3 });
    // team: $20 does not pass $20; both pass $5.
    expect(rows.get('team')).toMatchObject({ activeUsers: 2, usersOverBudget: 0, usersOverSuggestedBudget: 2 });
  });

  it('has no session figures without sessions, and no budget suggestion for a tier without a price', () => {
    expect(rows.get('free')).toEqual({
      tier: 'free',
      sessions: 0,
      p50SessionUsd: null,
      p90SessionUsd: null,
      p95SessionUsd: null,
      suggestedSessionCapUsd: null,
      sessionsOverCap: 0,
      monthlyPriceUsd: 0,
      targetMarginPct: 92,
      monthlyBudgetUsd: 1,
      suggestedBudgetUsd: null,
      activeUsers: 1,
      usersOverBudget: 1,
      usersOverSuggestedBudget: null,
    });
  });
});
