import type { Random } from './random.js';
import { DEMO_TIERS, TIER_MIX } from './saas.js';
import type { DemoTier } from './saas.js';

/** A user of the demo SaaS. */
export interface DemoUser {
  userId: string;
  /** The tier the user starts the window on. */
  tier: DemoTier;
  /** The team or enterprise account the user is a seat of; none for free and solo users. */
  tenantId: string | undefined;
  /** How much the user uses the product, relative to a typical user: Pareto-distributed. */
  activity: number;
  /** A mid-window change of tier. */
  upgrade: { atMs: number; tier: DemoTier } | undefined;
}

/** A team or enterprise customer account, which also runs account-level jobs. */
export interface DemoAccount {
  tenantId: string;
  tier: DemoTier;
  seats: number;
}

/** The users and accounts of the demo. */
export interface DemoPopulation {
  users: DemoUser[];
  accounts: DemoAccount[];
}

/** Pareto shape of user activity: the top fifth of users cause well over half of the usage. */
const ACTIVITY_ALPHA = 1.4;
/** Caps the heaviest user at this multiple of a typical one. */
const ACTIVITY_CAP = 80;
const SEATS: Partial<Record<DemoTier, readonly [number, number]>> = { team: [2, 8], enterprise: [8, 25] };

/** The tier `user` is on at `ms`. */
export function tierAt(user: DemoUser, ms: number): DemoTier {
  return user.upgrade !== undefined && ms >= user.upgrade.atMs ? user.upgrade.tier : user.tier;
}

function tierCounts(count: number): DemoTier[] {
  // Exact proportions rather than independent draws, so even a small demo has every tier.
  const out: DemoTier[] = [];
  for (const [tier, share] of TIER_MIX) {
    if (tier === 'free') continue;
    const n = Math.max(count >= DEMO_TIERS.length ? 1 : 0, Math.round(count * share));
    for (let i = 0; i < n; i++) out.push(tier);
  }
  while (out.length < count) out.push('free');
  return out.slice(0, count);
}

function shuffle<T>(rng: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function groupIntoAccounts(rng: Random, users: DemoUser[], accounts: DemoAccount[]): void {
  for (const tier of DEMO_TIERS) {
    const seats = SEATS[tier];
    if (seats === undefined) continue;
    const members = users.filter((u) => u.tier === tier);
    let i = 0;
    while (i < members.length) {
      const size = Math.min(rng.int(seats[0], seats[1]), members.length - i);
      const tenantId = `acct-${pad(accounts.length + 1, 4)}`;
      accounts.push({ tenantId, tier, seats: size });
      for (const u of members.slice(i, i + size)) u.tenantId = tenantId;
      i += size;
    }
  }
}

function planUpgrade(users: DemoUser[], from: DemoTier, to: DemoTier, atMs: number): void {
  // An engaged user is the one who upgrades; fall back to any user of the tier.
  const candidates = users.filter((u) => u.tier === from && u.tenantId === undefined);
  const user = candidates.find((u) => u.activity >= 2) ?? candidates[0];
  if (user !== undefined) user.upgrade = { atMs, tier: to };
}

/** Creates `count` users (most on free, a few paying, Pareto activity) and groups seats into accounts. */
export function createPopulation(rng: Random, count: number, window: { startMs: number; endMs: number }): DemoPopulation {
  const tiers = shuffle(rng, tierCounts(count));
  const width = Math.max(5, String(count).length);
  const users: DemoUser[] = tiers.map((tier, i) => ({
    userId: `user-${pad(i + 1, width)}`,
    tier,
    tenantId: undefined,
    activity: rng.pareto(ACTIVITY_ALPHA, ACTIVITY_CAP),
    upgrade: undefined,
  }));
  const accounts: DemoAccount[] = [];
  groupIntoAccounts(rng, users, accounts);
  const span = window.endMs - window.startMs;
  planUpgrade(users, 'free', 'solo', window.startMs + Math.round(span * 0.45));
  planUpgrade(users, 'solo', 'team', window.startMs + Math.round(span * 0.6));
  return { users, accounts };
}
