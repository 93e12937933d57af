import type { Attribution } from '@genai-cost/otel';
import type { Random } from './random.js';
import { ACCOUNT_JOB_FEATURE, ACCOUNT_JOB_MODEL, FEATURE_MODELS } from './saas.js';
import type { DemoFeature, DemoModel, DemoTier } from './saas.js';
import type { DemoAccount } from './users.js';

/** One model call, with usage normalised (input includes cached tokens, output includes reasoning). */
export interface DemoCall {
  model: DemoModel;
  startMs: number;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

/** A run of calls made for one user (or account) in one feature: a chat, a review, an agent run. */
export interface DemoSession {
  attribution: Attribution;
  /** True for an agent run: its calls sit under an `invoke_agent` wrapper span. */
  agent: boolean;
  calls: DemoCall[];
}

/** Who a session is for. */
export interface SessionOwner {
  userId: string | undefined;
  tier: DemoTier;
  tenantId: string | undefined;
}

/** Regions of the demo's customers, shown by `report --by tag:region` and the dashboards' tag variable. */
export const DEMO_REGIONS = ['us', 'eu', 'apac'] as const;

/** The region of a user or account, from its id rather than the generator, so the rest of the demo is unchanged. */
export function regionOf(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return DEMO_REGIONS[h % DEMO_REGIONS.length]!;
}

/** Share of agent runs that loop far past their usual length. */
const RUNAWAY_AGENT_SHARE = 0.06;

const tokens = (rng: Random, median: number, sigma: number, max: number): number =>
  Math.max(1, Math.min(max, Math.round(rng.logNormal(median, sigma))));

/** 1 + the number of successes before a stop, each continuing with probability `p`; at most `max`. */
function geometric(rng: Random, p: number, max: number): number {
  let n = 1;
  while (n < max && rng.chance(p)) n++;
  return n;
}

/** How a provider caches a prompt prefix of `prefix` tokens on a call after the first. */
function cached(model: DemoModel, prefix: number, first: boolean): { read: number; write: number } {
  switch (model.style) {
    case 'anthropic':
      // Explicit cache_control breakpoints: written once, then read.
      return first ? { read: 0, write: prefix } : { read: prefix, write: 0 };
    case 'openai':
      // Automatic caching of prefixes of 1,024 tokens or more, in 128-token steps.
      return first || prefix < 1024 ? { read: 0, write: 0 } : { read: Math.floor(prefix / 128) * 128, write: 0 };
    case 'gemini':
      // Implicit caching: part of a repeated prefix is served from cache.
      return first ? { read: 0, write: 0 } : { read: Math.floor(prefix * 0.75), write: 0 };
  }
}

class CallBuilder {
  readonly calls: DemoCall[] = [];
  constructor(
    private readonly rng: Random,
    readonly model: DemoModel,
    private at: number,
  ) {}

  add(input: number, visibleOutput: number, cache: { read: number; write: number }, gapMs: number): number {
    const reasoning = this.model.reasoning ? tokens(this.rng, 700, 0.7, 16_000) : 0;
    const output = visibleOutput + reasoning;
    const durationMs = Math.round(250 + output * (8 + this.rng.next() * 10));
    this.calls.push({
      model: this.model,
      startMs: this.at,
      durationMs,
      inputTokens: input,
      outputTokens: output,
      cacheReadTokens: Math.min(cache.read, input),
      cacheWriteTokens: Math.min(cache.write, input - Math.min(cache.read, input)),
      reasoningTokens: reasoning,
    });
    this.at += durationMs + gapMs;
    return output;
  }
}

function chat(rng: Random, b: CallBuilder): void {
  const system = tokens(rng, 4_000, 0.5, 30_000);
  let history = 0;
  const turns = geometric(rng, 0.65, 12);
  for (let t = 0; t < turns; t++) {
    const prefix = system + history;
    const message = tokens(rng, 150, 0.8, 4_000);
    const out = b.add(prefix + message, tokens(rng, 450, 0.6, 4_000), cached(b.model, prefix, t === 0), rng.int(5_000, 90_000));
    history += message + out;
  }
}

function summarise(rng: Random, b: CallBuilder): void {
  const chunks = rng.chance(0.8) ? 1 : rng.int(2, 3);
  for (let i = 0; i < chunks; i++) {
    b.add(tokens(rng, 12_000, 0.8, 150_000), tokens(rng, 700, 0.4, 3_000), { read: 0, write: 0 }, rng.int(200, 1_000));
  }
}

function codeReview(rng: Random, b: CallBuilder): void {
  const context = tokens(rng, 35_000, 0.6, 150_000);
  const calls = geometric(rng, 0.5, 6);
  for (let i = 0; i < calls; i++) {
    const diff = tokens(rng, 3_000, 0.7, 30_000);
    b.add(context + diff, tokens(rng, 1_500, 0.5, 8_000), cached(b.model, context, i === 0), rng.int(1_000, 5_000));
  }
}

function agentResearch(rng: Random, b: CallBuilder): void {
  const steps = rng.chance(RUNAWAY_AGENT_SHARE) ? rng.int(40, 90) : 3 + geometric(rng, 0.8, 25);
  let context = tokens(rng, 8_000, 0.4, 30_000);
  for (let s = 0; s < steps; s++) {
    const out = b.add(context, tokens(rng, 300, 0.5, 3_000), cached(b.model, context, s === 0), rng.int(200, 2_000));
    // Tool results and the model's own output pile up in the context, up to the window it keeps.
    context = Math.min(150_000, context + out + tokens(rng, 4_000, 0.8, 40_000));
  }
}

const SHAPES: Record<DemoFeature, (rng: Random, b: CallBuilder) => void> = {
  chat,
  summarise,
  'code-review': codeReview,
  'agent-research': agentResearch,
};

/** A session of `feature` for `owner`, its first call starting at `startMs`. */
export function userSession(rng: Random, owner: SessionOwner, feature: DemoFeature, startMs: number, sessionId: string): DemoSession {
  const model = rng.weighted(FEATURE_MODELS[feature][owner.tier]);
  const builder = new CallBuilder(rng, model, startMs);
  SHAPES[feature](rng, builder);
  return {
    attribution: { userId: owner.userId, tier: owner.tier, feature, sessionId, tenantId: owner.tenantId, tags: { region: regionOf(owner.tenantId ?? owner.userId ?? '') } },
    agent: feature === 'agent-research',
    calls: builder.calls,
  };
}

/** An account-level job (a nightly digest): the account's tenant id and tier, no user. */
export function accountJob(rng: Random, account: DemoAccount, startMs: number): DemoSession {
  const builder = new CallBuilder(rng, ACCOUNT_JOB_MODEL, startMs);
  const system = tokens(rng, 3_000, 0.2, 6_000);
  const documents = rng.int(2, 2 + Math.ceil(account.seats / 3));
  for (let i = 0; i < documents; i++) {
    builder.add(system + tokens(rng, 12_000, 0.5, 100_000), tokens(rng, 800, 0.3, 3_000), cached(ACCOUNT_JOB_MODEL, system, i === 0), 500);
  }
  return {
    attribution: { tier: account.tier, feature: ACCOUNT_JOB_FEATURE, tenantId: account.tenantId, tags: { region: regionOf(account.tenantId) } },
    agent: false,
    calls: builder.calls,
  };
}

/** The spans a session produces: its calls, plus the agent wrapper. */
export function spanCount(session: DemoSession): number {
  return session.calls.length + (session.agent ? 1 : 0);
}

/** When the session's last call ends. */
export function sessionEndMs(session: DemoSession): number {
  const last = session.calls[session.calls.length - 1]!;
  return last.startMs + last.durationMs;
}
