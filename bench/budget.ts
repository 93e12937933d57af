import { BudgetGuard } from '@genai-cost/budget';
import { interleaved } from './stats.js';

/** Prints `BudgetGuard.check()` latency with 100k users tracked, against a bare Map lookup of the same users. */
export function benchBudget(): void {
  const users = 100_000;
  const guard = new BudgetGuard({
    plan: {
      tiers: {
        free: { monthlyBudgetUsd: 5, action: 'block' },
        pro: { monthlyBudgetUsd: 50, action: 'warn' },
      },
      users: { 'user-99': { monthlyBudgetUsd: 0.5, action: 'block' } },
    },
  });
  const ids = Array.from({ length: users }, (_, i) => `user-${i}`);
  const spend = new Map<string, number>();
  const now = Date.now();
  for (let i = 0; i < users; i++) {
    // Most users well within budget, so check() answers ok without recording an event.
    guard.record(ids[i]!, i % 10 === 0 ? 'pro' : 'free', (i % 300) / 100, now);
    spend.set(ids[i]!, (i % 300) / 100);
  }
  let sink = 0;
  const ns = interleaved(15, 200_000, {
    'map lookup': (i) => {
      sink += spend.get(ids[(i * 7919) % users]!)!;
    },
    'check()': (i) => {
      sink += guard.check({ userId: ids[(i * 7919) % users]!, tier: 'free' }).spentUsd;
    },
  });
  const check = ns['check()']! / 1000;
  console.log(
    `budget     check() with ${users.toLocaleString('en-US')} users tracked: median ${check.toFixed(3)} µs ` +
      `(${(ns['check()']! / ns['map lookup']!).toFixed(1)}× a bare Map lookup of ${(ns['map lookup']! / 1000).toFixed(3)} µs; ` +
      `target < 1 µs: ${check < 1 ? 'met' : 'MISSED'})`,
  );
  // Keeps the lookups observable so the JIT cannot drop them.
  if (Number.isNaN(sink)) console.log('unreachable');
}
