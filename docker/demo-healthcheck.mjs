// The demo's health check: healthy when spans reached the demo's ClickHouse databases in the last
// two minutes, i.e. the demo is running, its spans are stored, and ClickHouse answers. It counts
// the genai_spans of genai_cost and genai_cost_demo, whichever the demo writes (directly or through
// the Collector and serve), with the demo's own connection settings (CLICKHOUSE_URL,
// CLICKHOUSE_USER, CLICKHOUSE_PASSWORD). Exit status 0 healthy, 1 not.
const QUERY = "SELECT count() FROM merge(REGEXP('^genai_cost(_demo)?$'), '^genai_spans$') WHERE Timestamp > now() - INTERVAL 2 MINUTE";

const url = new URL(process.env.CLICKHOUSE_URL || 'http://localhost:8123');
url.searchParams.set('query', QUERY);
const headers = { 'X-ClickHouse-User': process.env.CLICKHOUSE_USER || 'default' };
if (process.env.CLICKHOUSE_PASSWORD) headers['X-ClickHouse-Key'] = process.env.CLICKHOUSE_PASSWORD;
try {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(4_000) });
  const body = (await res.text()).trim();
  if (res.ok && Number(body) > 0) process.exit(0);
  console.error(res.ok ? 'demo health check: no span stored in the last two minutes' : `demo health check: ClickHouse answered ${res.status}: ${body.slice(0, 200)}`);
} catch (err) {
  console.error(`demo health check: ${err instanceof Error ? err.message : String(err)}`);
}
process.exit(1);
