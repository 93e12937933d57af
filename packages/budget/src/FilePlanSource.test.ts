import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetGuard } from './BudgetGuard.js';
import { FilePlanSource } from './FilePlanSource.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-cost-budget-'));

describe('FilePlanSource', () => {
  it('reads the budgets of a genai-cost.config.yaml and picks up edits on reload', async () => {
    const path = join(dir, 'genai-cost.config.yaml');
    const write = (freeBudget: number) =>
      writeFileSync(
        path,
        `clickhouse:
  url: http://localhost:8123
tiers:
  free: { monthlyPriceUsd: 0, monthlyBudgetUsd: ${freeBudget}, action: block, sessionBudgetUsd: 0.5 }
  solo: { monthlyPriceUsd: 19, targetMarginPct: 70 }
  pro: { monthlyPriceUsd: 49, monthlyBudgetUsd: 20, action: block, warnAtPct: 75, blockAtPct: 150 }
users:
  user_99: { monthlyBudgetUsd: 0.5, action: block, monthlyPriceUsd: 0 }
features:
  chat: { revenuePerUserUsd: 8 }
  summarizer: { revenuePerUserUsd: 4, monthlyBudgetUsd: 500, action: block }
tenants:
  acme: { monthlyBudgetUsd: 200, action: degrade, degradeModel: gpt-4.1-mini }
`,
      );
    write(5);
    const guard = new BudgetGuard({ planSource: new FilePlanSource(path) });
    await guard.start();
    guard.record('u1', 'free', 2, Date.now());
    expect(guard.check({ userId: 'u1', tier: 'free' })).toMatchObject({ action: 'allow', limitUsd: 5 });
    expect(guard.check({ userId: 'u2', tier: 'solo' }).limitUsd).toBe(Infinity);
    expect(guard.check({ userId: 'user_99', tier: 'free' }).limitUsd).toBe(0.5);
    expect(guard.check({ userId: 'p1', tier: 'pro' })).toMatchObject({ budgetUsd: 20, limitUsd: 30 });
    guard.recordSpend({ attribution: { userId: 'u3', tier: 'solo', feature: 'summarizer', tenantId: 'acme', sessionId: 's' }, costUsd: 0.5, startTimeMs: Date.now() });
    expect(guard.check({ userId: 'u3', tier: 'free', sessionId: 's' })).toMatchObject({ scope: 'session', action: 'block', limitUsd: 0.5 });
    expect(guard.check({ userId: 'u4', tier: 'solo', feature: 'summarizer' })).toMatchObject({ scope: 'feature', budgetUsd: 500, spentUsd: 0.5 });
    expect(guard.check({ userId: 'u4', tier: 'solo', feature: 'chat', tenantId: 'acme' })).toMatchObject({ scope: 'tenant', budgetUsd: 200, spentUsd: 0.5 });

    write(2);
    await guard.reload();
    expect(guard.check({ userId: 'u1', tier: 'free' })).toMatchObject({ action: 'block', limitUsd: 2 });
    await guard.stop();
  });

  it("applies the example plan file's budgets once its budget settings are uncommented", async () => {
    const example = readFileSync(new URL('../../cli/genai-cost.config.example.yaml', import.meta.url), 'utf8');
    const inline = example.replace(/^(\s+)# ((?:warnAtPct|blockAtPct|sessionBudgetUsd|monthlyBudgetUsd|action): .*)$/gm, '$1$2');
    const path = join(dir, 'example.yaml');
    writeFileSync(path, inline.replace(/^# tenants:\n(?:#.*\n)*/m, (block) => block.replace(/^# /gm, '')));
    const guard = new BudgetGuard({ planSource: new FilePlanSource(path) });
    await guard.start();
    const spend = (costUsd: number, attribution: { userId?: string; tier: string; feature?: string; tenantId?: string }) =>
      guard.recordSpend({ attribution, costUsd, startTimeMs: Date.now() });
    // Solo: budget $8, warned at 75 % ($6), the action (warn) only at 150 % ($12).
    spend(6, { userId: 's1', tier: 'solo' });
    expect(guard.check({ userId: 's1', tier: 'solo' })).toMatchObject({ state: 'warning', budgetUsd: 8, limitUsd: 12 });
    spend(6, { userId: 's1', tier: 'solo' });
    expect(guard.check({ userId: 's1', tier: 'solo' })).toMatchObject({ state: 'exceeded', action: 'warn' });
    spend(500, { tier: 'team', feature: 'summarise' });
    expect(guard.check({ userId: 't1', tier: 'team', feature: 'summarise' })).toMatchObject({ scope: 'feature', action: 'block', limitUsd: 500 });
    spend(300, { tier: 'team', tenantId: 'acme-corp' });
    expect(guard.check({ userId: 't1', tier: 'team', tenantId: 'acme-corp' })).toMatchObject({ scope: 'tenant', action: 'degrade', model: 'gpt-4o-mini' });
  });

  it('rejects an invalid budget naming the file and the field, and the guard keeps its plan', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'tiers:\n  free: { monthlyBudgetUsd: -1, action: block }\n');
    await expect(new FilePlanSource(path).load()).rejects.toThrow(/bad\.yaml: tiers\.free\.monthlyBudgetUsd: expected a number of USD ≥ 0/);
    const guard = new BudgetGuard({ plan: { tiers: { free: { monthlyBudgetUsd: 5, action: 'block' } } }, planSource: new FilePlanSource(path) });
    await guard.reload();
    expect(guard.check({ userId: 'u', tier: 'free' }).limitUsd).toBe(5);
    expect(guard.getStats().reloadFailures).toBe(1);
  });
});
