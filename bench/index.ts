import { benchBudget } from './budget.js';
import { benchCatalog } from './catalog.js';
import { benchClickHouse } from './clickhouse.js';
import { benchProcessor } from './processor.js';
import { benchReceiver } from './receiver.js';

console.log('genai-cost benchmarks: medians of interleaved rounds; ratios are against a baseline measured in the same run.');
benchProcessor();
benchBudget();
benchCatalog();
await benchClickHouse();
await benchReceiver();
