import { describe, expect, it } from 'vitest';
import { PriceCatalog } from '@genai-cost/pricing';
import { generateHistory, LiveTraffic } from './history.js';
import { DEMO_FEATURES, DEMO_MODELS, DEMO_TIERS } from './saas.js';
import type { DemoCall } from './sessions.js';
import { tierAt } from './users.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const DAY = 86_400_000;
const history = generateHistory({ users: 2000, days: 30, seed: 42, nowMs: NOW });
const calls = history.sessions.flatMap((s) => s.calls);

function share<T>(items: readonly T[], pred: (t: T) => boolean): number {
  return items.filter(pred).length / items.length;
}

describe('demo history', () => {
  it('is the same for the same seed and different for another', () => {
    const again = generateHistory({ users: 300, days: 5, seed: 7, nowMs: NOW });
    expect(generateHistory({ users: 300, days: 5, seed: 7, nowMs: NOW })).toEqual(again);
    expect(generateHistory({ users: 300, days: 5, seed: 8, nowMs: NOW }).sessions).not.toEqual(again.sessions);
  });

  it('has 2,000 users on four tiers: most free, fewer paying the more a tier costs', () => {
    expect(history.users).toHaveLength(2000);
    const count = (tier: string) => history.users.filter((u) => u.tier === tier).length;
    expect(DEMO_TIERS.map(count)).toEqual([1400, 360, 180, 60]);
    expect(new Set(history.users.map((u) => u.userId)).size).toBe(2000);
  });

  it('keeps a volume the demo can write in well under a minute', () => {
    expect(history.spanCount).toBeGreaterThan(100_000);
    expect(history.spanCount).toBeLessThan(250_000);
  });

  it('uses every feature, and at least five priced models of at least three providers', () => {
    expect(new Set(history.sessions.map((s) => s.attribution.feature))).toEqual(new Set(DEMO_FEATURES));
    const catalog = PriceCatalog.builtin();
    const models = new Set(calls.map((c) => c.model));
    const priced = [...models].filter((m) => catalog.resolve(m.responseModel, { provider: m.provider }) !== undefined);
    expect(priced.length).toBeGreaterThanOrEqual(6);
    expect(new Set(priced.map((m) => m.provider)).size).toBeGreaterThanOrEqual(3);
    // Responses name dated snapshots, as providers do.
    expect(priced.some((m) => m.responseModel !== m.requestModel && /\d{4}-?\d{2}-?\d{2}$/.test(m.responseModel))).toBe(true);
    // Only the fine-tuned model is unpriced, and it is rare.
    expect([...models].filter((m) => !priced.includes(m))).toEqual([DEMO_MODELS.fineTuned]);
    expect(share(calls, (c) => c.model === DEMO_MODELS.fineTuned)).toBeLessThan(0.01);
  });

  it('gives usage a power law: the top 10 % of users make most of the tokens', () => {
    const tokens = new Map<string, number>();
    for (const s of history.sessions) {
      const id = s.attribution.userId;
      if (id === undefined) continue;
      tokens.set(id, (tokens.get(id) ?? 0) + s.calls.reduce((n, c) => n + c.inputTokens + c.outputTokens, 0));
    }
    const sorted = [...tokens.values()].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    const top10 = sorted.slice(0, Math.ceil(sorted.length / 10)).reduce((a, b) => a + b, 0);
    expect(top10 / total).toBeGreaterThan(0.5);
    expect(sorted[0]! / sorted[Math.floor(sorted.length / 2)]!).toBeGreaterThan(50);
  });

  it('caches prompts in both the Anthropic and the OpenAI way', () => {
    const cached = (style: string, pred: (c: DemoCall) => boolean) => calls.some((c) => c.model.style === style && pred(c));
    expect(cached('anthropic', (c) => c.cacheWriteTokens > 0)).toBe(true);
    expect(cached('anthropic', (c) => c.cacheReadTokens > 0)).toBe(true);
    expect(cached('openai', (c) => c.cacheReadTokens > 0)).toBe(true);
    expect(cached('gemini', (c) => c.reasoningTokens > 0)).toBe(true);
    // Usage is normalised: input includes the cache, output includes reasoning.
    expect(calls.filter((c) => c.cacheReadTokens + c.cacheWriteTokens > c.inputTokens || c.reasoningTokens > c.outputTokens)).toEqual([]);
  });

  it('runs agent sessions under a wrapper, some of them looping for dozens of calls', () => {
    const agents = history.sessions.filter((s) => s.agent);
    expect(agents.length).toBeGreaterThan(100);
    expect(agents.every((s) => s.attribution.feature === 'agent-research')).toBe(true);
    expect(agents.some((s) => s.calls.length >= 40)).toBe(true);
    // Chats are sessions of several calls sharing a session id.
    expect(history.sessions.some((s) => s.attribution.feature === 'chat' && s.calls.length >= 3 && s.attribution.sessionId !== undefined)).toBe(true);
    const userSessions = history.sessions.filter((s) => s.attribution.userId !== undefined);
    expect(new Set(userSessions.map((s) => s.attribution.sessionId)).size).toBe(userSessions.length);
  });

  it('has account-level jobs: a tenant and tier, no user', () => {
    const jobs = history.sessions.filter((s) => s.attribution.userId === undefined);
    expect(jobs.length).toBe(history.accounts.length * 30);
    for (const j of jobs) {
      expect(j.attribution.tenantId).toMatch(/^acct-/);
      expect(['team', 'enterprise']).toContain(j.attribution.tier);
    }
  });

  it('has a couple of users who upgrade mid-window, their spans changing tier', () => {
    const upgraded = history.users.filter((u) => u.upgrade !== undefined);
    expect(upgraded.map((u) => `${u.tier}→${u.upgrade!.tier}`)).toEqual(['free→solo', 'solo→team']);
    for (const u of upgraded) {
      const tiers = history.sessions.filter((s) => s.attribution.userId === u.userId).map((s) => s.attribution.tier);
      expect(new Set(tiers)).toEqual(new Set([u.tier, u.upgrade!.tier]));
      expect(tierAt(u, NOW)).toBe(u.upgrade!.tier);
    }
  });

  it('spreads calls over the window, none starting in the future', () => {
    const starts = calls.map((c) => c.startMs);
    expect(starts.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(NOW - 30 * DAY);
    expect(starts.reduce((a, b) => Math.max(a, b))).toBeLessThan(NOW);
    const days = new Set(starts.map((ms) => Math.floor((NOW - ms) / DAY)));
    expect(days.size).toBe(30);
  });
});

describe('live traffic', () => {
  it('makes sessions that end now, from users in proportion to their use', () => {
    const live = new LiveTraffic(history, 42);
    const sessions = Array.from({ length: 200 }, () => live.next(NOW));
    for (const s of sessions) {
      const last = s.calls[s.calls.length - 1]!;
      expect(last.startMs + last.durationMs).toBe(NOW);
      expect(s.attribution.userId).toBeDefined();
    }
    expect(new Set(sessions.map((s) => s.attribution.sessionId)).size).toBe(200);
  });
});
