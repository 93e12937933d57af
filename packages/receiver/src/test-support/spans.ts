import { SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PriceCatalog } from '@genai-cost/pricing';
import { ReceivedSpan } from '../ReceivedSpan.js';
import type { ReceivedSpanInit } from '../ReceivedSpan.js';

/** Round prices, so expected costs are worked out by hand. */
export const TEST_CATALOG = PriceCatalog.empty().withPrices([{ provider: 'openai', model: 'gpt-test', input: 2, output: 8, cacheRead: 0.5 }]);

let n = 0;

/** A received span with `attributes`; other fields have plain defaults that `over` replaces. */
export function receivedSpan(attributes: Attributes, over: Partial<ReceivedSpanInit> = {}): ReceivedSpan {
  n++;
  return new ReceivedSpan({
    traceId: n.toString(16).padStart(32, '0'),
    spanId: n.toString(16).padStart(16, '0'),
    parentSpanId: '',
    traceFlags: 1,
    name: 'span',
    kind: SpanKind.CLIENT,
    startTime: [1_767_225_600, 0],
    endTime: [1_767_225_601, 500],
    attributes: { ...attributes },
    status: { code: 0 },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    resource: resourceFromAttributes({ 'service.name': 'app' }),
    instrumentationScope: { name: 'scope' },
    ...over,
  });
}

/** Attributes of a chat call to gpt-test: 1000 input and 100 output tokens, $0.0028. */
export const CHAT: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-test',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 100,
};
