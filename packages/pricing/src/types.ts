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
  /**
   * The part of `cacheWriteTokens` written with a 1-hour TTL (0 <= it <= cacheWriteTokens); the
   * rest are 5-minute writes. Default 0.
   */
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
  /** 5-minute cache writes; the input rate when the provider has none. */
  cacheWrite: number;
  /** 1-hour cache writes; the 5-minute write rate where the model has none. */
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
  /** Cache-write tokens. */
  cacheWriteUsd: number;
  /** The sum of the four. */
  totalUsd: number;
}

/** Where a price came from: the built-in catalog or the user's own prices. */
export type PriceOrigin = 'builtin' | 'custom';

/** How long an Anthropic prompt-cache write lives, which decides its price. */
export type CacheWriteTtl = '5m' | '1h';
