import { metrics } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { z } from 'zod';
import { ClickHouseConfigError, describeIssue } from './errors.js';
import { DEFAULT_DATABASE, TABLES, qualified } from './tables.js';
import type { SpanInsertClient, SpanQueueOptions } from './types.js';

const MiB = 1024 * 1024;
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected letters, digits and underscores');
const positive = (what: string) => z.number().int().positive(`expected a positive number of ${what}`);

/** The queue's options as zod checks them; the exporter extends it with its own. */
export const queueOptionsShape = {
  client: z.custom<SpanInsertClient>((c) => typeof (c as SpanInsertClient | null)?.command === 'function', 'expected a ClickHouse client'),
  database: identifier.optional(),
  table: identifier.optional(),
  deadLetterTable: identifier.optional(),
  maxQueueBytes: positive('bytes').optional(),
  spoolDir: z.string().min(1, 'expected a directory path').optional(),
  maxSpoolBytes: positive('bytes').optional(),
  spoolSegmentBytes: positive('bytes').optional(),
  spoolSync: z.boolean().optional(),
  maxConcurrentInserts: positive('inserts').max(64, 'expected at most 64').optional(),
  insertTimeoutMs: positive('milliseconds').optional(),
  retryInitialMs: positive('milliseconds').optional(),
  retryMaxMs: positive('milliseconds').optional(),
  shutdownTimeoutMs: positive('milliseconds').optional(),
  meterProvider: z.custom<MeterProvider>((m) => typeof (m as MeterProvider | null)?.getMeter === 'function', 'expected an OpenTelemetry MeterProvider').optional(),
};

/** The queue's options with defaults applied. */
export interface SpanQueueParams {
  client: SpanInsertClient;
  /** `db.table` of the spans. */
  table: string;
  /** `db.table` of the dead-letter rows. */
  deadLetterTable: string;
  maxQueueBytes: number;
  spool: { dir: string; maxBytes: number; segmentBytes: number; sync: boolean } | undefined;
  maxConcurrentInserts: number;
  insertTimeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  shutdownTimeoutMs: number;
  meterProvider: MeterProvider;
}

/** Validates the queue's options (throwing `ClickHouseConfigError` naming the field) and applies the defaults, in one place. */
export function resolveSpanQueueOptions(options: SpanQueueOptions): SpanQueueParams {
  const parsed = z.object(queueOptionsShape).safeParse(options);
  if (!parsed.success) throw new ClickHouseConfigError(`SpanQueue option ${describeIssue(parsed.error)}`);
  const o = parsed.data;
  const database = o.database ?? DEFAULT_DATABASE;
  const retryInitialMs = o.retryInitialMs ?? 500;
  return {
    client: options.client,
    table: qualified(database, o.table ?? TABLES.spans),
    deadLetterTable: qualified(database, o.deadLetterTable ?? TABLES.spansRejected),
    maxQueueBytes: o.maxQueueBytes ?? 64 * MiB,
    spool:
      o.spoolDir === undefined
        ? undefined
        : { dir: o.spoolDir, maxBytes: o.maxSpoolBytes ?? 1024 * MiB, segmentBytes: o.spoolSegmentBytes ?? 8 * MiB, sync: o.spoolSync ?? true },
    maxConcurrentInserts: o.maxConcurrentInserts ?? 2,
    insertTimeoutMs: o.insertTimeoutMs ?? 30_000,
    retryInitialMs,
    retryMaxMs: Math.max(o.retryMaxMs ?? 30_000, retryInitialMs),
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? 30_000,
    meterProvider: o.meterProvider ?? metrics.getMeterProvider(),
  };
}
