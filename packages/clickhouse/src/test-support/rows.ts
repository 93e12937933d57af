import { setTimeout as sleep } from 'node:timers/promises';
import type { SpanRow } from '../tables.js';

let counter = 0;

/** A priced model-call row as the mapper makes it, with a unique span id; `overrides` replace fields. */
export function testRow(overrides: Partial<SpanRow> = {}): SpanRow {
  const n = ++counter;
  const ms = Date.now();
  return {
    Timestamp: `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000 + n).padStart(9, '0')}`,
    TraceId: `${process.pid.toString(16)}t${n.toString(16)}`.padStart(32, '0'),
    SpanId: `${process.pid.toString(16)}s${n.toString(16)}`.padStart(16, '0'),
    ParentSpanId: '',
    ServiceName: 'app',
    SpanName: 'chat gpt-test',
    SpanKind: 'Client',
    ScopeName: 'test-instrumentation',
    SpanRole: 'inference',
    UserId: `u${n % 50}`,
    SessionId: '',
    TenantId: '',
    Tier: 'solo',
    Feature: 'chat',
    Tags: {},
    Provider: 'openai',
    Operation: 'chat',
    RequestModel: 'gpt-test',
    ResponseModel: 'gpt-test',
    Model: 'gpt-test',
    ServiceTier: '',
    Region: '',
    InputTokens: 1000,
    OutputTokens: 500,
    CacheReadTokens: 200,
    CacheWriteTokens: 0,
    CacheWrite1hTokens: 0,
    ReasoningTokens: 0,
    AudioInputTokens: 0,
    AudioOutputTokens: 0,
    ImageInputTokens: 0,
    ImageOutputTokens: 0,
    WebSearchRequests: 0,
    CostUsd: 0.0057,
    Priced: true,
    UnpricedReason: '',
    PriceId: 'openai/gpt-test@1970-01-01',
    UsageIncomplete: '',
    DurationNs: 1_000_000,
    StatusCode: 'Unset',
    StatusMessage: '',
    SpanAttributes: { 'gen_ai.usage.input_tokens': '1000' },
    ...overrides,
  };
}

/** `n` rows. */
export function testRows(n: number, overrides: Partial<SpanRow> = {}): SpanRow[] {
  return Array.from({ length: n }, () => testRow(overrides));
}

/** Polls `condition` every 10 ms until true; throws after `timeoutMs`, naming `what`. */
export async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
