import { mulberry32 } from './random.js';
import type { Random } from './random.js';
import { FEATURE_MIX, SESSIONS_PER_DAY } from './saas.js';
import { accountJob, sessionEndMs, spanCount, userSession } from './sessions.js';
import type { DemoSession } from './sessions.js';
import { createPopulation, tierAt } from './users.js';
import type { DemoPopulation, DemoUser } from './users.js';

/** What the demo generates; the same options always give the same data. */
export interface DemoDataOptions {
  users: number;
  days: number;
  seed: number;
  /** The end of the history window, epoch ms. */
  nowMs: number;
}

/** The generated history: users, accounts and their sessions over the window. */
export interface DemoHistory extends DemoPopulation {
  sessions: DemoSession[];
  /** Spans the sessions produce (calls plus agent wrappers). */
  spanCount: number;
  windowStartMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Sessions start early enough in their day that even a runaway agent ends inside it. */
const LATEST_START_MS = DAY_MS - 2 * HOUR_MS;
const WEEKEND_FACTOR = 0.6;

function isWeekend(ms: number): boolean {
  const day = new Date(ms).getUTCDay();
  return day === 0 || day === 6;
}

function userDay(rng: Random, user: DemoUser, dayStartMs: number, nextId: () => string, out: DemoSession[]): void {
  const weekday = isWeekend(dayStartMs) ? WEEKEND_FACTOR : 1;
  const count = rng.poisson(SESSIONS_PER_DAY[tierAt(user, dayStartMs)] * user.activity * weekday);
  for (let i = 0; i < count; i++) {
    const startMs = dayStartMs + Math.floor(rng.next() * LATEST_START_MS);
    const tier = tierAt(user, startMs);
    const feature = rng.weighted(FEATURE_MIX[tier]);
    out.push(userSession(rng, { userId: user.userId, tier, tenantId: user.tenantId }, feature, startMs, nextId()));
  }
}

/** Generates `days` of history ending at `nowMs`: user sessions plus nightly account jobs. */
export function generateHistory(options: DemoDataOptions): DemoHistory {
  const rng = mulberry32(options.seed);
  const windowStartMs = options.nowMs - options.days * DAY_MS;
  const population = createPopulation(rng, options.users, { startMs: windowStartMs, endMs: options.nowMs });
  const sessions: DemoSession[] = [];
  let sessionNo = 0;
  const nextId = (): string => `sess-${(++sessionNo).toString(36).padStart(6, '0')}`;
  for (let d = 0; d < options.days; d++) {
    const dayStartMs = windowStartMs + d * DAY_MS;
    for (const user of population.users) userDay(rng, user, dayStartMs, nextId, sessions);
    for (const account of population.accounts) {
      sessions.push(accountJob(rng, account, dayStartMs + 2 * HOUR_MS + rng.int(0, HOUR_MS)));
    }
  }
  return { ...population, sessions, spanCount: sessions.reduce((n, s) => n + spanCount(s), 0), windowStartMs };
}

/**
 * Live traffic after the history: sessions that end at the moment they are asked for, from users
 * chosen in proportion to their usage, so the live mix looks like the history.
 */
export class LiveTraffic {
  private readonly rng: Random;
  private readonly cumulative: number[] = [];
  private total = 0;
  private sessionNo = 0;

  constructor(
    private readonly population: DemoPopulation,
    seed: number,
  ) {
    this.rng = mulberry32(seed ^ 0x5eed);
    for (const u of population.users) {
      this.total += SESSIONS_PER_DAY[tierAt(u, Number.MAX_SAFE_INTEGER)] * u.activity;
      this.cumulative.push(this.total);
    }
  }

  /** A user session that ends at `nowMs`. */
  next(nowMs: number): DemoSession {
    const user = this.population.users[this.pickIndex()]!;
    const tier = tierAt(user, nowMs);
    const feature = this.rng.weighted(FEATURE_MIX[tier]);
    const sessionId = `live-${(++this.sessionNo).toString(36).padStart(6, '0')}`;
    const session = userSession(this.rng, { userId: user.userId, tier, tenantId: user.tenantId }, feature, nowMs, sessionId);
    const shift = sessionEndMs(session) - nowMs;
    for (const call of session.calls) call.startMs -= shift;
    return session;
  }

  private pickIndex(): number {
    const r = this.rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
