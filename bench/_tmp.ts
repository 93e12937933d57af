import { benchClickHouse } from './clickhouse.js';
await benchClickHouse({ exportSpans: 20_000, querySpans: 100_000 });
