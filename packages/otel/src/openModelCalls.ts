import type { GenAICall } from './usage.js';
import { mergeUsage } from './usage.js';

/** One model-call span known to the duplicate rule. */
export interface ModelCallEntry {
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly startMs: number;
  /** The open model-call span this one's parent is, when it was open at this one's start. */
  parent: ModelCallEntry | undefined;
  /** Model-call spans started under this one. */
  children: ModelCallEntry[] | undefined;
  /** Ended, or forgotten for age or room. */
  ended: boolean;
  /** What duplicates of the same call that ended first handed over. */
  carried: GenAICall | undefined;
}

/** Returned by `end` for a span that another open span of the same call will price. */
export const DUPLICATE = Symbol('duplicate');

/**
 * The model-call spans of this process that are open, so that two spans describing one call (an
 * instrumentation's span and the SDK's own span under it) are priced once, whichever ends first.
 * Keyed by span id, not by the parent context's span object: OpenInference puts a wrapper without
 * attributes in the context. Bounded in size and age so spans that never end cannot grow it.
 */
export class OpenModelCalls {
  private readonly open = new Map<string, ModelCallEntry>();
  /** Entries forgotten before their span ended. */
  forgotten = 0;
  private adds = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  /**
   * Registers a model-call span that started, under its parent when that is an open model call
   * (`parent` when the caller found it, else looked up by id).
   */
  add(spanId: string, parentSpanId: string | undefined, startMs: number, parent?: ModelCallEntry): ModelCallEntry {
    if ((++this.adds & 255) === 0 || this.open.size >= this.maxEntries) this.evict(startMs);
    const entry: ModelCallEntry = { spanId, parentSpanId, startMs, parent: undefined, children: undefined, ended: false, carried: undefined };
    if (parentSpanId !== undefined) this.link(entry, parent ?? this.open.get(parentSpanId));
    this.open.set(spanId, entry);
    return entry;
  }

  /** Links entries added out of start order (a batch of ended spans) to their parents. */
  linkAll(): void {
    for (const entry of this.open.values()) {
      if (entry.parentSpanId !== undefined && entry.parent === undefined) this.link(entry, this.open.get(entry.parentSpanId));
    }
  }

  /**
   * Ends `entry` with the reading of its span. `DUPLICATE` when an open model-call parent or child
   * describes the same call: the reading is handed to it, and it will be priced with the more
   * complete usage of the two. Otherwise what duplicates that ended first handed over, if anything.
   */
  end(entry: ModelCallEntry, call: GenAICall): GenAICall | typeof DUPLICATE | undefined {
    entry.ended = true;
    this.open.delete(entry.spanId);
    const parent = entry.parent;
    if (parent !== undefined && !parent.ended) {
      parent.carried = mergeCalls(call, parent.carried);
      return DUPLICATE;
    }
    const children = entry.children;
    if (children !== undefined) {
      let open: ModelCallEntry | undefined;
      let count = 0;
      for (const c of children) {
        if (!c.ended) {
          open = c;
          count++;
        }
      }
      // Several calls under one span: the span sums them, each child is priced on its own.
      if (count > 1) return DUPLICATE;
      if (open !== undefined) {
        open.carried = mergeCalls(call, open.carried);
        return DUPLICATE;
      }
    }
    return entry.carried;
  }

  /** Open entries now. */
  get size(): number {
    return this.open.size;
  }

  private link(entry: ModelCallEntry, parent: ModelCallEntry | undefined): void {
    if (parent === undefined || parent.ended) return;
    entry.parent = parent;
    (parent.children ??= []).push(entry);
  }

  private evict(nowMs: number): void {
    for (const [id, oldest] of this.open) {
      if (this.open.size < this.maxEntries && nowMs - oldest.startMs <= this.maxAgeMs) return;
      oldest.ended = true;
      this.open.delete(id);
      this.forgotten++;
    }
  }
}

/** One reading of a call from two spans: each field from the span that has it, usage merged. */
export function mergeCalls(a: GenAICall, b: GenAICall | undefined): GenAICall {
  if (b === undefined) return a;
  const model = a.model ?? b.model;
  const usage = a.usage !== undefined && b.usage !== undefined ? mergeUsage(a.usage, b.usage) : (a.usage ?? b.usage);
  return {
    role: 'inference',
    model,
    provider: a.provider ?? b.provider,
    serviceTier: a.serviceTier ?? b.serviceTier,
    region: a.region ?? b.region,
    usage,
    problem: usage === undefined ? (a.problem ?? b.problem ?? 'no_usage') : model === undefined ? 'missing_model' : undefined,
  };
}
