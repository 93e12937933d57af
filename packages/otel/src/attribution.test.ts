import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAttribution, setAttribution, withAttribution } from './attribution.js';

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
});
