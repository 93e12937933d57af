import { context, diag, DiagLogLevel, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TAGS, getAttribution, isTagKey, setAttribution, withAttribution } from './attribution.js';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

describe('withAttribution', () => {
  it('merges nested scopes, inner fields winning', () => {
    withAttribution({ userId: 'u1', tier: 'free', feature: 'chat' }, () => {
      withAttribution({ tier: 'solo', sessionId: 's' }, () => {
        expect(getAttribution()).toEqual({ userId: 'u1', tier: 'solo', feature: 'chat', sessionId: 's' });
      });
      expect(getAttribution()).toEqual({ userId: 'u1', tier: 'free', feature: 'chat' });
    });
    expect(getAttribution()).toBeUndefined();
  });

  it('passes arguments and returns the result, across await', async () => {
    const result = await withAttribution(
      { userId: 'u2' },
      async (a: number, b: number) => {
        await new Promise((r) => setTimeout(r, 1));
        return `${getAttribution()?.userId}:${a + b}`;
      },
      1,
      2,
    );
    expect(result).toBe('u2:3');
  });

  it('drops values that are not non-empty strings instead of throwing', () => {
    const ctx = setAttribution(ROOT_CONTEXT, { userId: 42 as unknown as string, tier: '', feature: 'f' });
    expect(getAttribution(ctx)).toEqual({ feature: 'f' });
  });

  it('hands out frozen attribution', () => {
    const ctx = setAttribution(ROOT_CONTEXT, { userId: 'u' });
    expect(Object.isFrozen(getAttribution(ctx))).toBe(true);
  });

  it('merges the tags of nested scopes key by key', () => {
    withAttribution({ userId: 'u1', tags: { region: 'eu', plan_variant: 'a' } }, () => {
      withAttribution({ feature: 'chat', tags: { plan_variant: 'b', 'app.build': '2026.11-1' } }, () => {
        expect(getAttribution()).toEqual({ userId: 'u1', feature: 'chat', tags: { region: 'eu', plan_variant: 'b', 'app.build': '2026.11-1' } });
      });
      withAttribution({ feature: 'search' }, () => {
        expect(getAttribution()?.tags).toEqual({ region: 'eu', plan_variant: 'a' });
      });
      expect(Object.isFrozen(getAttribution()?.tags)).toBe(true);
    });
  });

  it('drops tags with a bad key or value and past the limit, warns once per kind, and never throws', () => {
    const warnings: string[] = [];
    diag.setLogger({ warn: (m: string) => warnings.push(m), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    try {
      const tags = {
        region: 'eu',
        'bad key': 'x',
        "'; DROP TABLE": 'x',
        '.hidden': 'x',
        [`k${'x'.repeat(64)}`]: 'x',
        empty: '',
        long: 'v'.repeat(257),
        number: 3 as unknown as string,
        ok_2: 'fine',
      };
      expect(getAttribution(setAttribution(ROOT_CONTEXT, { tags }))?.tags).toEqual({ region: 'eu', ok_2: 'fine' });
      expect(getAttribution(setAttribution(ROOT_CONTEXT, { tags: 'region=eu' as never, userId: 'u' }))).toEqual({ userId: 'u' });
      expect(getAttribution(setAttribution(ROOT_CONTEXT, { tags: null as never }))).toEqual({});
      const many = Object.fromEntries(Array.from({ length: MAX_TAGS + 5 }, (_, i) => [`t${i}`, 'v']));
      const outer = setAttribution(ROOT_CONTEXT, { tags: many });
      expect(Object.keys(getAttribution(outer)!.tags!)).toHaveLength(MAX_TAGS);
      // A key already held can still change its value at the limit.
      expect(getAttribution(setAttribution(outer, { tags: { t0: 'w', extra: 'v' } }))!.tags!.t0).toBe('w');
      expect(warnings).toHaveLength(3);
      expect(warnings.join('\n')).toMatch(/key is not 1 to 64[\s\S]*value is not a non-empty string[\s\S]*at most 32 tags/);
    } finally {
      diag.disable();
    }
  });

  it('accepts tag keys of 1 to 64 letters, digits, _, . and -', () => {
    for (const key of ['region', 'plan_variant', 'app.build', 'a-b', '_x', '9', 'k'.repeat(64)]) expect(isTagKey(key), key).toBe(true);
    for (const key of ['', '.a', '-a', 'a b', "a'b", 'a\\b', 'a=b', 'é', 'k'.repeat(65), 7]) expect(isTagKey(key), String(key)).toBe(false);
  });
});
