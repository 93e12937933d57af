import { describe, expect, it } from 'vitest';
import { receivedSpan } from './test-support/spans.js';

describe('ReceivedSpan', () => {
  it('is writable like an ending SDK span and keeps its ids', () => {
    const span = receivedSpan({ a: 1 }, { parentSpanId: '00000000000000aa' });
    span.setAttribute('b', 'x').setAttributes({ c: true, d: undefined });
    expect(span.attributes).toEqual({ a: 1, b: 'x', c: true });
    expect(span.parentSpanContext?.spanId).toBe('00000000000000aa');
    expect(span.parentSpanContext?.traceId).toBe(span.spanContext().traceId);
    expect(span.isRecording()).toBe(true);
  });

  it('never has a negative duration, so the UInt64 column always takes it', () => {
    expect(receivedSpan({}, { startTime: [10, 5], endTime: [9, 0] }).duration).toEqual([0, 0]);
    expect(receivedSpan({}, { startTime: [10, 900_000_000], endTime: [11, 100_000_000] }).duration).toEqual([0, 200_000_000]);
  });
});
