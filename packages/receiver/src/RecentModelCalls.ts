/** One remembered model-call span: its parent's id and when it was remembered. */
interface Entry {
  parentSpanId: string | undefined;
  atMs: number;
}

/**
 * The model-call spans that carried a call's cost in recent requests to this receiver, by span
 * id, with their parents' ids: the two spans of one call (an instrumentation's span and the SDK's
 * own span under it) can come in two requests, when a batch boundary of the app's SDK or of a
 * Collector falls between them. A model-call span whose parent or child is remembered is a
 * duplicate of a call already counted. Bounded in entries and in age; ids only (16 hex characters
 * each), so 100,000 entries hold about 15 MB. Map order is insertion order and entries are never
 * re-inserted, so the oldest come first, for both bounds.
 */
export class RecentModelCalls {
  private readonly spans = new Map<string, Entry>();
  /** Remembered spans per parent span id. */
  private readonly children = new Map<string, number>();
  /** Entries dropped for room or age since construction. */
  evicted = 0;

  constructor(
    private readonly maxSpans: number,
    private readonly maxAgeMs: number,
  ) {}

  /** Whether `spanId` is remembered (a span sent again). */
  has(spanId: string): boolean {
    return this.spans.has(spanId);
  }

  /** Whether a remembered span is the parent or a child of this span: another span of its call carries it. */
  carriedElsewhere(spanId: string, parentSpanId: string | undefined): boolean {
    return (parentSpanId !== undefined && this.spans.has(parentSpanId)) || (this.children.get(spanId) ?? 0) > 0;
  }

  /**
   * Forgets the spans remembered more than `maxAgeMs` before `nowMs`. Called once per request
   * rather than per span: reading the clock and starting an iteration per span cost more than the
   * lookups themselves.
   */
  prune(nowMs: number): void {
    for (const [id, entry] of this.spans) {
      if (nowMs - entry.atMs <= this.maxAgeMs) return;
      this.drop(id);
    }
  }

  /** Remembers, at `nowMs`, a span that carries its call; false when it was already remembered. */
  remember(spanId: string, parentSpanId: string | undefined, nowMs: number): boolean {
    if (this.maxSpans === 0 || this.spans.has(spanId)) return false;
    if (this.spans.size >= this.maxSpans) this.drop(this.spans.keys().next().value!);
    this.spans.set(spanId, { parentSpanId, atMs: nowMs });
    if (parentSpanId !== undefined) this.children.set(parentSpanId, (this.children.get(parentSpanId) ?? 0) + 1);
    return true;
  }

  /** Forgets spans remembered for a request that was not accepted after all. */
  forget(spanIds: readonly string[]): void {
    for (const id of spanIds) if (this.spans.has(id)) this.remove(id);
  }

  /** Spans remembered now. */
  get size(): number {
    return this.spans.size;
  }

  private drop(id: string): void {
    this.remove(id);
    this.evicted++;
  }

  private remove(id: string): void {
    const parent = this.spans.get(id)?.parentSpanId;
    this.spans.delete(id);
    if (parent === undefined) return;
    const n = (this.children.get(parent) ?? 1) - 1;
    if (n === 0) this.children.delete(parent);
    else this.children.set(parent, n);
  }
}
