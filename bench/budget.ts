import { BudgetGuard } from '@genai-cost/budget';
import type { BudgetSubject } from '@genai-cost/budget';
import { interleaved } from './stats.js';

const USERS = 100_000;
const SESSIONS = 50_000;
const FEATURES = ['chat', 'summarizer', 'code-review', 'agent-research'];
const TENANTS = 2_000;

/**
 * Prints `BudgetGuard.check()` latency with 100k users tracked and every budget kind configured
 * (tier with soft and hard caps, user overrides, session ceilings, feature and tenant budgets, the
 * loop guard fed with tool calls), against a bare Map lookup of the same users, and what each
 * budget kind adds to a check that names only the user.
 */
export function benchBudget(): void {
  const guard = new BudgetGuard({
    plan: {
      tiers: {
        free: { monthlyBudgetUsd: 5, action: 'block', sessionBudgetUsd: 2 },
        pro: { monthlyBudgetUsd: 50, action: 'block', warnAtPct: 75, blockAtPct: 150, sessionBudgetUsd: 10 },
      },
      users: { 'user-99': { monthlyBudgetUsd: 0.5, action: 'block' } },
      features: Object.fromEntries(FEATURES.map((f) => [f, { monthlyBudgetUsd: 1_000_000, action: 'block' as const }])),
      tenants: Object.fromEntries(Array.from({ length: TENANTS }, (_, i) => [`tenant-${i}`, { monthlyBudgetUsd: 100_000, action: 'degrade' as const, degradeModel: 'small' }])),
    },
    maxSessions: SESSIONS,
  });
  const ids = Array.from({ length: USERS }, (_, i) => `user-${i}`);
  const sessionIds = Array.from({ length: SESSIONS }, (_, i) => `s-${i}`);
  const tenantIds = Array.from({ length: TENANTS }, (_, i) => `tenant-${i}`);
  const tierOf = (i: number) => (i % 10 === 0 ? 'pro' : 'free');
  const spend = new Map<string, number>();
  const now = Date.now();
  for (let i = 0; i < USERS; i++) {
    // Most users well within budget, so check() answers ok without recording an event.
    const costUsd = (i % 300) / 100;
    guard.recordSpend({
      attribution: { userId: ids[i]!, tier: tierOf(i), sessionId: sessionIds[i % SESSIONS], feature: FEATURES[i % FEATURES.length], tenantId: tenantIds[i % TENANTS] },
      costUsd: costUsd / 4,
      startTimeMs: now,
    });
    guard.recordToolCall({ sessionId: sessionIds[i % SESSIONS]!, toolName: 'search', arguments: { q: i } });
    spend.set(ids[i]!, costUsd);
  }
  // Subjects are built per call, as a request handler builds them, always of one shape (fields it
  // does not know are undefined): mixed shapes would make check()'s property reads megamorphic.
  const subject = (i: number, session: boolean, feature: boolean, tenant: boolean): BudgetSubject => ({
    userId: ids[i]!,
    tier: tierOf(i),
    sessionId: session ? sessionIds[i % SESSIONS] : undefined,
    feature: feature ? FEATURES[i % FEATURES.length] : undefined,
    tenantId: tenant ? tenantIds[i % TENANTS] : undefined,
  });
  const variants: Record<string, (i: number) => BudgetSubject> = {
    'user only': (i) => subject(i, false, false, false),
    '+ session': (i) => subject(i, true, false, false),
    '+ feature': (i) => subject(i, false, true, false),
    '+ tenant': (i) => subject(i, false, false, true),
    'all kinds': (i) => subject(i, true, true, true),
  };
  let sink = 0;
  const fns: Record<string, (i: number) => void> = {
    'map lookup': (i) => {
      sink += spend.get(ids[(i * 7919) % USERS]!)!;
    },
  };
  for (const [name, subject] of Object.entries(variants)) {
    fns[name] = (i) => {
      sink += guard.check(subject((i * 7919) % USERS)).spentUsd;
    };
  }
  const ns = interleaved(11, 100_000, fns);
  const all = ns['all kinds']! / 1000;
  const base = ns['map lookup']!;
  console.log(
    `budget     check() with ${USERS.toLocaleString('en-US')} users and every budget kind: median ${all.toFixed(3)} µs ` +
      `(${(ns['all kinds']! / base).toFixed(1)}× a bare Map lookup of ${(base / 1000).toFixed(3)} µs; target < 1 µs: ${all < 1 ? 'met' : 'MISSED'})`,
  );
  const user = ns['user only']!;
  const parts = ['+ session', '+ feature', '+ tenant'].map((k) => `${k} ${((ns[k]! - user) / 1000).toFixed(3)} µs`);
  console.log(`budget     check() naming the user only: ${(user / 1000).toFixed(3)} µs; each kind adds: ${parts.join(', ')}`);
  // Keeps the lookups observable so the JIT cannot drop them.
  if (Number.isNaN(sink)) console.log('unreachable');
}
