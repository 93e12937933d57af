import { context, diag, DiagLogLevel } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getAttribution, withAttribution } from './attribution.js';

const warnings: string[] = [];
beforeAll(() => {
  diag.setLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
});
afterAll(() => {
  diag.disable();
  context.disable();
});

// Until the second test no context manager is registered in this file (its own process).
it('warns once when no context manager carries the attribution, instead of doing nothing silently', () => {
  const seen = [withAttribution({ userId: 'u1' }, () => getAttribution()), withAttribution({ userId: 'u2' }, () => getAttribution())];
  expect(seen).toEqual([undefined, undefined]);
  expect(warnings).toEqual([
    'genai-cost: withAttribution found no OpenTelemetry context manager, so its attribution reaches no span. ' +
      'Start the OpenTelemetry SDK (NodeSDK.start(), or register a tracer provider) before the first request.',
  ]);
});

it('carries attribution without a word once the SDK has registered a context manager', () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  expect(withAttribution({ userId: 'u3' }, () => getAttribution())).toEqual({ userId: 'u3' });
  expect(warnings).toHaveLength(1);
});
