/**
 * The made-up SaaS product the demo simulates: its tiers, features and the models each feature
 * calls. Numbers are chosen so the margin table tells a story: a subsidised free tier, healthy
 * paid tiers, and power users and runaway agents that eat into them.
 */

/** The demo's pricing tiers, cheapest first. */
export const DEMO_TIERS = ['free', 'solo', 'team', 'enterprise'] as const;
/** One of {@link DEMO_TIERS}. */
export type DemoTier = (typeof DEMO_TIERS)[number];

/** The demo's product features. */
export const DEMO_FEATURES = ['chat', 'summarise', 'code-review', 'agent-research'] as const;
/** One of {@link DEMO_FEATURES}. */
export type DemoFeature = (typeof DEMO_FEATURES)[number];

/** How an instrumentation reports usage: which attribute names, and whether input includes the cache. */
export type UsageStyle = 'openai' | 'anthropic' | 'gemini';

/** A model the demo calls, as an instrumentation would name it on a span. */
export interface DemoModel {
  /** `gen_ai.provider.name`. */
  provider: string;
  /** `gen_ai.request.model`: the alias the application asked for. */
  requestModel: string;
  /** `gen_ai.response.model`: the dated snapshot the provider answered with. */
  responseModel: string;
  style: UsageStyle;
  /** Whether it spends reasoning ("thinking") tokens. */
  reasoning: boolean;
}

const openai = (requestModel: string, responseModel: string): DemoModel => ({
  provider: 'openai',
  requestModel,
  responseModel,
  style: 'openai',
  reasoning: false,
});
const anthropic = (requestModel: string, responseModel: string): DemoModel => ({
  provider: 'anthropic',
  requestModel,
  responseModel,
  style: 'anthropic',
  reasoning: false,
});
const gemini = (model: string, reasoning: boolean): DemoModel => ({
  provider: 'gcp.gemini',
  requestModel: model,
  responseModel: model,
  style: 'gemini',
  reasoning,
});

/** Every model of the demo; all but the fine-tuned one are in the built-in price catalog. */
export const DEMO_MODELS = {
  gpt4oMini: openai('gpt-4o-mini', 'gpt-4o-mini-2024-07-18'),
  gpt41: openai('gpt-4.1', 'gpt-4.1-2025-04-14'),
  sonnet: anthropic('claude-sonnet-4-5', 'claude-sonnet-4-5-20250929'),
  haiku: anthropic('claude-haiku-4-5', 'claude-haiku-4-5-20251001'),
  flash: gemini('gemini-2.5-flash', false),
  pro: gemini('gemini-2.5-pro', true),
  /**
   * A fine-tuned model: fine-tunes are priced apart from their base model, so it stays unpriced
   * until the plan file gives it a price, which shows how unpriced spans are flagged.
   */
  fineTuned: openai('ft:gpt-4o-mini-2024-07-18:acme:support:B3x9k2', 'ft:gpt-4o-mini-2024-07-18:acme:support:B3x9k2'),
} as const satisfies Record<string, DemoModel>;

/** Weighted choices: `[value, weight]`. */
export type Weighted<T> = readonly (readonly [T, number])[];

/** Share of users starting on each tier: most are free, few pay. */
export const TIER_MIX: Weighted<DemoTier> = [
  ['free', 0.7],
  ['solo', 0.18],
  ['team', 0.09],
  ['enterprise', 0.03],
];

/** Sessions per day of a user with activity 1; the Pareto activity multiplies it. */
export const SESSIONS_PER_DAY: Record<DemoTier, number> = { free: 0.12, solo: 0.5, team: 0.7, enterprise: 1.6 };

/** Which features a tier's users open sessions in. Free users have no code review or agents. */
export const FEATURE_MIX: Record<DemoTier, Weighted<DemoFeature>> = {
  free: [
    ['chat', 0.75],
    ['summarise', 0.25],
  ],
  solo: [
    ['chat', 0.45],
    ['summarise', 0.2],
    ['code-review', 0.25],
    ['agent-research', 0.1],
  ],
  team: [
    ['chat', 0.35],
    ['summarise', 0.15],
    ['code-review', 0.3],
    ['agent-research', 0.2],
  ],
  enterprise: [
    ['chat', 0.3],
    ['summarise', 0.15],
    ['code-review', 0.25],
    ['agent-research', 0.3],
  ],
};

const m = DEMO_MODELS;
const PAID_CHAT: Weighted<DemoModel> = [
  [m.gpt41, 0.45],
  [m.sonnet, 0.35],
  [m.gpt4oMini, 0.2],
];

/** One model mix for every paying tier. */
function paidTiers(mix: Weighted<DemoModel>): Record<Exclude<DemoTier, 'free'>, Weighted<DemoModel>> {
  return { solo: mix, team: mix, enterprise: mix };
}

/** The models each feature calls, per tier: free users get the cheap ones. */
export const FEATURE_MODELS: Record<DemoFeature, Record<DemoTier, Weighted<DemoModel>>> = {
  chat: {
    free: [
      [m.gpt4oMini, 0.6],
      [m.flash, 0.4],
    ],
    solo: [
      [m.gpt41, 0.5],
      [m.gpt4oMini, 0.3],
      [m.haiku, 0.2],
    ],
    team: PAID_CHAT,
    enterprise: [...PAID_CHAT, [m.fineTuned, 0.05]],
  },
  summarise: {
    free: [[m.flash, 1]],
    ...paidTiers([
      [m.haiku, 0.6],
      [m.flash, 0.4],
    ]),
  },
  'code-review': {
    free: [[m.gpt4oMini, 1]],
    ...paidTiers([
      [m.sonnet, 0.7],
      [m.gpt41, 0.3],
    ]),
  },
  'agent-research': {
    free: [[m.flash, 1]],
    ...paidTiers([
      [m.pro, 0.5],
      [m.sonnet, 0.5],
    ]),
  },
};

/** The model behind the account-level nightly digest of a team or enterprise account. */
export const ACCOUNT_JOB_MODEL: DemoModel = m.haiku;
/** The feature account-level jobs are counted under. */
export const ACCOUNT_JOB_FEATURE: DemoFeature = 'summarise';
