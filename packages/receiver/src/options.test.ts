import { describe, expect, it } from 'vitest';
import { ReceiverConfigError, resolveReceiverOptions } from './options.js';
import { CapturingQueue } from './test-support/queue.js';

const queue = new CapturingQueue();

describe('resolveReceiverOptions', () => {
  it('applies the defaults in one place', () => {
    const o = resolveReceiverOptions({ queue, headerKeys: { sessionId: 'X-Session' } });
    expect(o).toMatchObject({ host: '127.0.0.1', port: 4318, maxBodyBytes: 64 * 1024 * 1024, keepAllSpans: false, acceptWhileUnavailable: false, retryAfterSeconds: 5 });
    expect(o.recentModelCalls).toEqual({ maxSpans: 100_000, maxAgeMs: 600_000 });
    expect(o.attributeKeys).toEqual({ userId: 'user.id', tier: 'saas.tier', feature: 'saas.feature', sessionId: 'session.id', tenantId: 'saas.tenant.id' });
    expect(o.headerKeys).toEqual({ tenantId: 'x-genai-cost-tenant-id', tier: 'x-genai-cost-tier', sessionId: 'x-session' });
  });

  it.each([
    [{ port: 70_000 }, 'OtlpReceiver option "port": expected a port from 0 to 65535'],
    [{ bearerToken: 'short' }, 'OtlpReceiver option "bearerToken": expected a token of at least 16 characters'],
    [{ attributeKeys: { userId: '' } }, 'OtlpReceiver option "attributeKeys.userId": expected a non-empty attribute key'],
    [{ headerKeys: { tier: 'x tier' } }, 'OtlpReceiver option "headerKeys.tier": expected an HTTP header name'],
    [{ recentModelCalls: { maxAgeMs: 0 } }, 'OtlpReceiver option "recentModelCalls.maxAgeMs": expected a positive number of milliseconds'],
    [{ queue: {} }, 'OtlpReceiver option "queue": expected a SpanQueue'],
    [{ colour: 'blue' }, 'OtlpReceiver option "(options)"'],
  ])('names the field of a bad option: %j', (bad, message) => {
    expect(() => resolveReceiverOptions({ queue, ...bad } as never)).toThrow(ReceiverConfigError);
    expect(() => resolveReceiverOptions({ queue, ...bad } as never)).toThrow(message);
  });
});
