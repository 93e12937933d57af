import type { AttributeValue } from '@opentelemetry/api';
import { ReceivedSpan } from '../ReceivedSpan.js';
import type { ReceivedSpanInit } from '../ReceivedSpan.js';

/** Why a span was refused as bad data (counted in `partial_success`). */
export type RejectReason = 'invalid_trace_id' | 'invalid_span_id' | 'missing_start_time';

const REJECT_TEXT: Record<RejectReason, string> = {
  invalid_trace_id: 'trace_id is not 16 non-zero bytes',
  invalid_span_id: 'span_id is not 8 non-zero bytes',
  missing_start_time: 'start_time_unix_nano is 0',
};

/** The spans of one export request, and those refused as bad data. */
export class DecodedRequest {
  readonly spans: ReceivedSpan[] = [];
  rejected = 0;
  private readonly reasons = new Map<RejectReason, number>();

  /** Adds the span, or counts it rejected when its ids or start time are invalid. */
  add(init: ReceivedSpanInit): void {
    const reason = invalid(init);
    if (reason === undefined) {
      this.spans.push(new ReceivedSpan(init));
      return;
    }
    this.rejected++;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  /** The `partial_success.error_message`: how many spans were refused and why; empty when none. */
  errorMessage(): string {
    if (this.rejected === 0) return '';
    const parts = [...this.reasons].map(([reason, n]) => `${n} with ${REJECT_TEXT[reason]}`);
    return `${this.rejected} span${this.rejected === 1 ? '' : 's'} rejected: ${parts.join('; ')}`;
  }
}

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
const HEX = /^[0-9a-f]*$/;

/** Ids must be lowercase hex of the right length and not all zero (OTLP: such ids are invalid). */
function invalid(s: ReceivedSpanInit): RejectReason | undefined {
  if (s.traceId.length !== 32 || s.traceId === ZERO_TRACE_ID || !HEX.test(s.traceId)) return 'invalid_trace_id';
  if (s.spanId.length !== 16 || s.spanId === ZERO_SPAN_ID || !HEX.test(s.spanId)) return 'invalid_span_id';
  if (s.startTime[0] === 0 && s.startTime[1] === 0) return 'missing_start_time';
  return undefined;
}

/**
 * An OTLP AnyValue as a span attribute value: primitives as they are, an array of primitives as an
 * array, and anything nested (kvlist, arrays of arrays or maps) as JSON text, since span attributes
 * hold only primitives and arrays of them. An empty AnyValue gives undefined (the key is dropped).
 */
export function attributeValue(v: unknown): AttributeValue | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object') return v as AttributeValue;
  if (Array.isArray(v) && v.every((e) => e === null || typeof e !== 'object')) return v as AttributeValue;
  return JSON.stringify(v);
}
