// The demo's health check: healthy when spans it sent reached ClickHouse in the last two minutes,
// i.e. the demo is running, its exporter stores, and ClickHouse answers. Reads the demo's own
// connection settings (CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD); the database is
// GENAI_COST_DEMO_DATABASE, else genai_cost_demo. Exit status 0 healthy, 1 not.
const database = process.env.GENAI_COST_DEMO_DATABASE || 'genai_cost_demo';
if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
  console.error(`demo health check: invalid database name ${JSON.stringify(database)}`);
  process.exit(1);
}
const url = new URL(process.env.CLICKHOUSE_URL || 'http://localhost:8123');
url.searchParams.set('query', `SELECT count() FROM ${database}.genai_spans WHERE Timestamp > now() - INTERVAL 2 MINUTE`);
const headers = { 'X-ClickHouse-User': process.env.CLICKHOUSE_USER || 'default' };
if (process.env.CLICKHOUSE_PASSWORD) headers['X-ClickHouse-Key'] = process.env.CLICKHOUSE_PASSWORD;
try {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(4_000) });
  const body = (await res.text()).trim();
  const recent = res.ok ? Number(body) : 0;
  if (recent > 0) process.exit(0);
  console.error(res.ok ? 'demo health check: no span stored in the last two minutes' : `demo health check: ClickHouse answered ${res.status}: ${body.slice(0, 200)}`);
} catch (err) {
  console.error(`demo health check: ${err instanceof Error ? err.message : String(err)}`);
}
process.exit(1);
