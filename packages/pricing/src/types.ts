/** Token counts of one model call, normalised: input includes cached tokens, output includes reasoning. */
export interface TokenUsage {
  /** All input tokens, cached ones included. */
  inputTokens: number;
  /** All output tokens, reasoning tokens included. */
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache (a subset of `inputTokens`). Default 0. */
  cacheReadTokens?: number;
  /** Input tokens written to the provider's prompt cache (a subset of `inputTokens`). Default 0. */
  cacheWriteTokens?: number;
  /** The part of `cacheWriteTokens` written with a 1-hour TTL; the rest are 5-minute writes. Default 0. */
  cacheWrite1hTokens?: number;
}

/** USD per million tokens of each kind, after the context-length tier has been chosen. */
export interface Rates {
  /** Uncached input. */
  input: number;
  /** Output, reasoning included. */
  output: number;
  /** Cache reads; the input rate when the provider has none. */
  cacheRead: number;
  /** Cache writes with the 5-minute TTL (the only kind most providers have); the input rate when the provider has none. */
  cacheWrite: number;
  /** Cache writes with a 1-hour TTL; the 5-minute write rate where the model has none. */
  cacheWrite1h: number;
}

/** The cost of one model call in USD, by kind of token. */
export interface CostBreakdown {
  /** Uncached input tokens. */
  inputUsd: number;
  /** Output tokens (reasoning included). */
  outputUsd: number;
  /** Cache-read tokens. */
  cacheReadUsd: number;
  /** Cache-write tokens, 5-minute and 1-hour writes together. */
  cacheWriteUsd: number;
  /** The sum of the four. */
  totalUsd: number;
}

/** Where a price came from: the built-in catalog or the user's own prices. */
export type PriceOrigin = 'builtin' | 'custom';

/** How long an Anthropic prompt-cache write lives, which decides its price. */
export type CacheWriteTtl = '5m' | '1h';
