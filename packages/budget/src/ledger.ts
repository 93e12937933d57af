/**
 * Spend is kept in integer units of 1e-10 USD (the precision of span costs): float sums drift
 * (ten $0.10 calls add up to $0.9999999999999999) and would let a user past an exact limit.
 * Integers stay exact up to $900,000 per key and period.
 */
export const UNITS_PER_USD = 1e10;
/** USD as integer units of 1e-10 USD. */
export const toUnits = (usd: number): number => Math.round(usd * UNITS_PER_USD);

import type { Limits } from './limits.js';

/** One key's spend in the current period (a user, a feature or a tenant), in units of 1e-10 USD. */
export interface Ledger {
  /** For features and tenants: their budget, linked here so a check finds spend and budget in one lookup. */
  limits: Limits | undefined;
  /** The tier last seen for a user, so refreshes can judge crossings too. */
  tier: string;
  periodStartMs: number;
  /** Spend this process recorded in the period: a floor whatever the spend source says. */
  own: number;
  /** The period total the spend source gave at its last refresh. */
  sourceBase: number;
  /** Spend recorded here since the running or last refresh began. */
  sinceRefresh: number;
  /** Spend recorded here before that refresh began, until the refresh lands. */
  beforeRefresh: number;
  warned: boolean;
  exceeded: boolean;
}

/**
 * The period spend of every key of one scope: this process's own spend, laid over the total a
 * spend source last gave, without counting what this process recorded twice.
 */
export class SpendLedgers {
  readonly byKey = new Map<string, Ledger>();

  /** `budgetOf` gives each new ledger its key's budget, for scopes whose budget depends on the key alone. */
  constructor(
    private readonly maxKeys: number,
    private budgetOf: (key: string) => Limits | undefined = () => undefined,
  ) {}

  /** Links every ledger to its budget again, after the plan changed. */
  relink(budgetOf: (key: string) => Limits | undefined): void {
    this.budgetOf = budgetOf;
    for (const [key, l] of this.byKey) l.limits = budgetOf(key);
  }

  /** Units spent by `key` in the period starting at `periodStartMs`. */
  spent(key: string, periodStartMs: number): number {
    const l = this.byKey.get(key);
    if (l === undefined || l.periodStartMs !== periodStartMs) return 0;
    return Math.max(l.sourceBase + l.beforeRefresh + l.sinceRefresh, l.own);
  }

  /** Units spent by a ledger in its period (0 once the period moved on). */
  spentOf(l: Ledger, periodStartMs: number): number {
    return l.periodStartMs !== periodStartMs ? 0 : Math.max(l.sourceBase + l.beforeRefresh + l.sinceRefresh, l.own);
  }

  /** Adds units to `key`'s spend; returns its ledger. */
  add(key: string, units: number, periodStartMs: number): Ledger {
    const l = this.ledgerOf(key, periodStartMs);
    l.own += units;
    l.sinceRefresh += units;
    return l;
  }

  /** The ledger of `key`, created or reset for the period. */
  ledgerOf(key: string, periodStartMs: number): Ledger {
    let l = this.byKey.get(key);
    if (l === undefined) {
      if (this.byKey.size >= this.maxKeys) this.byKey.delete(this.byKey.keys().next().value!);
      l = { limits: this.budgetOf(key), tier: '', periodStartMs, own: 0, sourceBase: 0, sinceRefresh: 0, beforeRefresh: 0, warned: false, exceeded: false };
      this.byKey.set(key, l);
    } else if (l.periodStartMs !== periodStartMs) {
      Object.assign(l, { periodStartMs, own: 0, sourceBase: 0, sinceRefresh: 0, beforeRefresh: 0, warned: false, exceeded: false });
    }
    return l;
  }

  /** Marks what was recorded so far as covered by the refresh that starts now. */
  beginRefresh(): void {
    for (const l of this.byKey.values()) {
      l.beforeRefresh += l.sinceRefresh;
      l.sinceRefresh = 0;
    }
  }

  /** The refresh failed: what it was meant to cover counts as recorded since. */
  abortRefresh(): void {
    for (const l of this.byKey.values()) {
      l.sinceRefresh += l.beforeRefresh;
      l.beforeRefresh = 0;
    }
  }

  /** Takes the source's totals as the base of every key; `visit` sees each key whose total changed. */
  applyRefresh(totals: ReadonlyMap<string, number>, periodStartMs: number, visit: (key: string, l: Ledger) => void): void {
    for (const key of this.byKey.keys()) {
      const l = this.ledgerOf(key, periodStartMs);
      l.sourceBase = toUnits(totals.get(key) ?? 0);
      l.beforeRefresh = 0;
      visit(key, l);
    }
    for (const [key, total] of totals) {
      if (this.byKey.has(key) || !(total > 0)) continue;
      const l = this.ledgerOf(key, periodStartMs);
      l.sourceBase = toUnits(total);
      visit(key, l);
    }
  }
}
