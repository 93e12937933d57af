import type { Attributes, AttributeValue, HrTime, Link, SpanContext, SpanKind, SpanStatus, TimeInput } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { Span, TimedEvent } from '@opentelemetry/sdk-trace-base';

/** What a decoder knows of one span; ids are lowercase hex, times exact. */
export interface ReceivedSpanInit {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  /** W3C trace flags (the low 8 bits of OTLP `flags`). */
  traceFlags: number;
  name: string;
  kind: SpanKind;
  startTime: HrTime;
  endTime: HrTime;
  attributes: Attributes;
  status: SpanStatus;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  resource: Resource;
  instrumentationScope: InstrumentationScope;
}

/**
 * A span received over OTLP, already ended by the app that made it, shaped as the SDK's `Span` so
 * that `GenAICostSpanProcessor` (onStart / onEnding) and `SpanRowMapper` run on it exactly as on a
 * span of this process: attributes stay writable until it is stored. Events and links are not
 * decoded (no genai-cost table stores them): `events` and `links` start empty, their counts are
 * what the sender reported as dropped.
 */
export class ReceivedSpan implements Span {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[] = [];
  readonly events: TimedEvent[] = [];
  readonly ended = true;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  private readonly context: SpanContext;

  constructor(init: ReceivedSpanInit) {
    this.context = { traceId: init.traceId, spanId: init.spanId, traceFlags: init.traceFlags };
    this.parentSpanContext =
      init.parentSpanId === '' ? undefined : { traceId: init.traceId, spanId: init.parentSpanId, traceFlags: init.traceFlags, isRemote: false };
    this.name = init.name;
    this.kind = init.kind;
    this.startTime = init.startTime;
    this.endTime = init.endTime;
    this.duration = hrDuration(init.startTime, init.endTime);
    this.attributes = init.attributes;
    this.status = init.status;
    this.droppedAttributesCount = init.droppedAttributesCount;
    this.droppedEventsCount = init.droppedEventsCount;
    this.droppedLinksCount = init.droppedLinksCount;
    this.resource = init.resource;
    this.instrumentationScope = init.instrumentationScope;
  }

  /** The span's ids as sent. */
  spanContext(): SpanContext {
    return this.context;
  }

  /** Sets or replaces one attribute; undefined is ignored, as the SDK does. */
  setAttribute(key: string, value?: AttributeValue): this {
    if (value !== undefined) this.attributes[key] = value;
    return this;
  }

  /** Sets several attributes. */
  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  /** Records an event (kept in memory only: no table stores events). */
  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, _time?: TimeInput): this {
    const attributes = typeof attributesOrTime === 'object' && !Array.isArray(attributesOrTime) && !(attributesOrTime instanceof Date) ? attributesOrTime : undefined;
    this.events.push({ name, attributes, time: this.endTime, droppedAttributesCount: 0 });
    return this;
  }

  /** Records a link (kept in memory only). */
  addLink(link: Link): this {
    this.links.push(link);
    return this;
  }

  /** Records links (kept in memory only). */
  addLinks(links: Link[]): this {
    this.links.push(...links);
    return this;
  }

  /** Replaces the status. */
  setStatus(status: SpanStatus): this {
    this.status = status;
    return this;
  }

  /** Names are kept as sent: a received span is not renamed. */
  updateName(_name: string): this {
    return this;
  }

  /** The span ended in the app that sent it. */
  end(_endTime?: TimeInput): void {}

  /** True: its attributes can still be written until it is stored. */
  isRecording(): boolean {
    return true;
  }

  /** Records the exception as an event, as the SDK does. */
  recordException(exception: unknown): void {
    this.addEvent('exception', { 'exception.message': String((exception as { message?: unknown })?.message ?? exception) });
  }
}

/** end − start, never negative: a clock that went backwards must not make an invalid UInt64 duration. */
function hrDuration(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1e9;
  }
  return seconds < 0 ? [0, 0] : [seconds, nanos];
}
