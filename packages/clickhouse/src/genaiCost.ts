import { diag } from '@opentelemetry/api';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { BufferConfig, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GenAICostConfigError, GenAICostSpanProcessor, PROCESSOR_OPTION_KEYS } from '@genai-cost/otel';
import type { GenAICostSpanProcessorOptions, SpanCostEvent, ToolCallEvent } from '@genai-cost/otel';
import { ClickHouseSpanExporter, EXPORTER_OPTION_KEYS } from './ClickHouseSpanExporter.js';
import type { ClickHouseSpanExporterOptions } from './types.js';

/** What `genaiCost` needs of a `BudgetGuard` (`@genai-cost/budget`), which matches it structurally. */
export interface BudgetGuardLike {
  spanCostListener(): (event: SpanCostEvent) => void;
  toolCallListener(): (event: ToolCallEvent) => void;
  /** The id the guard keys a user's spend by: the pseudonym under its `userIdHmacKey`, else the id. */
  storedUserId(userId: string): string;
}

/**
 * One configuration for the span processor and the exporter: the options of both in one object
 * (see `GenAICostSpanProcessorOptions` and `ClickHouseSpanExporterOptions`). The options both
 * read, `attributeKeys`, `inputExcludesCacheScopes` and `maxTokensPerSpan`, are given once and
 * reach both; `userIdHmacKey` pseudonymizes the ids the processor writes, ClickHouse stores and a
 * `budgetGuard` counts. All optional.
 */
export interface GenAICostOptions extends GenAICostSpanProcessorOptions, ClickHouseSpanExporterOptions {
  /** The batch processor in front of the exporter. Default: `maxExportBatchSize` 8192, `maxQueueSize` 16384, else the SDK's defaults. */
  batch?: BufferConfig;
  /**
   * A `BudgetGuard` fed every priced call and tool call, after `onSpanCost` / `onToolCall` if
   * those are given too. It must pseudonymize user ids as `userIdHmacKey` does (the same key, or
   * none on both), else construction throws. Default: none.
   */
  budgetGuard?: BudgetGuardLike;
}

/** What `genaiCost` built. */
export interface GenAICost {
  /** The processors to register, in this order: the cost processor, then the batch processor in front of the exporter. */
  readonly spanProcessors: SpanProcessor[];
  /** The cost processor: `getStats()`, and `pricer` for spans that ended elsewhere. */
  readonly processor: GenAICostSpanProcessor;
  /** The ClickHouse exporter: `getStats()`, `readiness()`. */
  readonly exporter: ClickHouseSpanExporter;
}

/** The options the processor and the exporter both read; given once, they reach both. */
const SHARED = new Set<string>(['attributeKeys', 'inputExcludesCacheScopes', 'maxTokensPerSpan']);
const OWN = new Set<string>(['batch', 'budgetGuard']);
const PROCESSOR = new Set<string>(PROCESSOR_OPTION_KEYS);
const EXPORTER = new Set<string>(EXPORTER_OPTION_KEYS);
/** Any string: only whether two pseudonymizers agree on it matters. */
const IDENTITY_PROBE = 'genai-cost identity probe';

/** Batch processors not yet shut down, flushed once when the process is about to end. */
const flushAtExit = new Set<BatchSpanProcessor>();
let exitHook = false;

/**
 * The batch processor of `genaiCost`: when the event loop empties while it still holds spans (an
 * app that ends without `sdk.shutdown()`), it hands them to the exporter, whose queue then stores
 * them before the process exits (see `exitDrain.ts`).
 */
class ExitFlushingBatchSpanProcessor extends BatchSpanProcessor {
  constructor(...args: ConstructorParameters<typeof BatchSpanProcessor>) {
    super(...args);
    flushAtExit.add(this);
    if (exitHook) return;
    exitHook = true;
    process.once('beforeExit', () => {
      for (const batch of flushAtExit) batch.forceFlush().catch((err: unknown) => diag.error('genai-cost: flushing spans at exit failed', err));
      flushAtExit.clear();
    });
  }

  override shutdown(): Promise<void> {
    flushAtExit.delete(this);
    return super.shutdown();
  }
}

/**
 * Builds the span processor and the ClickHouse exporter from one configuration, for an existing
 * OpenTelemetry setup: `new NodeSDK({ spanProcessors: genaiCost().spanProcessors, ... })`. With no
 * options the exporter connects as `CLICKHOUSE_URL` (and `CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`,
 * `CLICKHOUSE_DATABASE`) say, else to embedded chDB, on its first insert, and creates the schema
 * then. Spans still batched when the app ends without shutting the SDK down are stored before the
 * process exits. Throws `GenAICostConfigError` (or the component's own error) for an invalid option.
 */
export function genaiCost(options: GenAICostOptions = {}): GenAICost {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GenAICostConfigError(`genaiCost: expected an options object or none, got ${Array.isArray(options) ? 'an array' : String(options)}`);
  }
  const processorOptions: Record<string, unknown> = {};
  const exporterOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || OWN.has(key)) continue;
    if (SHARED.has(key) || PROCESSOR.has(key)) processorOptions[key] = value;
    if (SHARED.has(key) || EXPORTER.has(key)) exporterOptions[key] = value;
    if (!SHARED.has(key) && !PROCESSOR.has(key) && !EXPORTER.has(key)) {
      throw new GenAICostConfigError(`genaiCost: unknown option "${key}" (expected an option of GenAICostSpanProcessor or ClickHouseSpanExporter, "batch" or "budgetGuard")`);
    }
  }
  const guard = options.budgetGuard;
  if (guard !== undefined) {
    processorOptions.onSpanCost = both(options.onSpanCost, guard.spanCostListener());
    processorOptions.onToolCall = both(options.onToolCall, guard.toolCallListener());
  }
  const processor = new GenAICostSpanProcessor(processorOptions as GenAICostSpanProcessorOptions);
  if (guard !== undefined && guard.storedUserId(IDENTITY_PROBE) !== processor.pricer.storedUserId(IDENTITY_PROBE)) {
    throw new GenAICostConfigError(
      'genaiCost option "budgetGuard": it pseudonymizes user ids differently from "userIdHmacKey"; give both the same key (or neither), ' +
        'so that budgets count the ids ClickHouse stores',
    );
  }
  const exporter = new ClickHouseSpanExporter(exporterOptions as ClickHouseSpanExporterOptions);
  const batch = new ExitFlushingBatchSpanProcessor(exporter, { maxExportBatchSize: 8192, maxQueueSize: 16384, ...options.batch });
  return { spanProcessors: [processor, batch], processor, exporter };
}

function both<E>(first: ((event: E) => void) | undefined, second: (event: E) => void): (event: E) => void {
  if (first === undefined) return second;
  return (event) => {
    try {
      first(event);
    } finally {
      second(event);
    }
  };
}
