/**
 * A process that queues spans into a spool and prints `acked <span ids>` for each batch the queue
 * accepted, until it is killed. Run by the kill -9 test:
 * `node --import tsx --conditions=@genai-cost/source spoolChild.ts <server url> <spool dir>`.
 */
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { SpanQueue } from '../SpanQueue.js';
import { testRows } from './rows.js';

const [url, spoolDir] = process.argv.slice(2);
const client = createClient({ url: url!, log: { level: ClickHouseLogLevel.OFF } });
const queue = new SpanQueue({ client, spoolDir: spoolDir!, retryInitialMs: 5, retryMaxMs: 20, insertTimeoutMs: 200 });
for (;;) {
  const rows = testRows(25);
  const result = await queue.enqueue(rows);
  if (result.accepted) process.stdout.write(`acked ${rows.map((r) => r.SpanId).join(',')}\n`);
}
