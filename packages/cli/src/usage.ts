/** Help texts, printed for `--help` and after a usage error, and the version. */
import { readFileSync } from 'node:fs';

/** The CLI's version, from its package.json (next to both src/ and dist/). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const CONNECTION = `ClickHouse connection (first match wins):
  CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, CLICKHOUSE_DATABASE   environment
  clickhouse: { url, username, password | passwordEnv, database }              plan file
  otherwise an embedded chDB database in ./.genai-cost/chdb (no server needed);
  a URL of chdb:PATH names another chDB directory.`;

const DATABASE = `  --database NAME    ClickHouse database (default: genai_cost)`;

/** `genai-cost --help`. */
export const MAIN_USAGE = `genai-cost — LLM cost attribution and per-tier margin for SaaS products

Usage: genai-cost <command> [options]
       genai-cost --version

Commands:
  migrate    create or update the ClickHouse schema and load the plans from the plan file
  report     per-tier margin, top users, features, models, sessions or accounts
  demo       generate a month of a simulated SaaS's LLM traffic and report on it

Run "genai-cost <command> --help" for a command's options.

${CONNECTION}

Exit status: 0 ok, 1 ClickHouse or run-time failure, 2 bad flag or plan file.
`;

/** `genai-cost <command> --help`. */
export const COMMAND_USAGE = {
  migrate: `Usage: genai-cost migrate [--config PATH] [--database NAME]

Creates or updates the schema (tables, rollups) and replaces the plans table with the tiers,
user overrides and features of the plan file; without a plan file it loads no plans and leaves
the plans table as it is. Safe to run again: applied migrations are skipped.

Options:
  --config PATH      plan file (default: ./genai-cost.config.yaml when it exists)
${DATABASE}

${CONNECTION}
`,
  report: `Usage: genai-cost report [--by KIND] [--since 30d | --from ISO [--to ISO]] [--format FORMAT] [--limit N]

Options:
  --by KIND          tier (default), user, feature, model, session or account
  --since N{d|h}     window ending now (default: 30d)
  --from, --to ISO   an explicit window (ISO 8601 date or time; --to defaults to now)
  --format FORMAT    table (default), json (the rows as returned) or csv (with a header)
  --limit N          at most N rows (the top N for users and accounts)
  --config PATH      plan file, for its clickhouse: settings (default: ./genai-cost.config.yaml)
${DATABASE}; in ./.genai-cost/chdb, while genai_cost
                     has no spans, the demo's genai_cost_demo (said on stderr)

Revenue of a tier = active users × monthly price × days in window / 30; margin % is undefined
(—) where revenue is 0. The table also shows the cost skew and the count of unpriced spans.

${CONNECTION}
`,
  demo: `Usage: genai-cost demo [--users 2000] [--days 30] [--seed 42] [--continuous [--rate 20/s]]

Simulates a SaaS (free, solo, team and enterprise tiers; chat, summarise, code-review and
agent-research features; OpenAI, Anthropic and Google models) through the real OpenTelemetry SDK,
GenAICostSpanProcessor and ClickHouseSpanExporter, then prints the per-tier margin, the top users
and the features. Each run drops and recreates the demo database, so re-runs never double the data.

Options:
  --users N          simulated users (default: 2000)
  --days N           days of history ending now (default: 30)
  --seed N           random seed; the same seed gives the same data (default: 42)
  --continuous       afterwards keep sending live traffic until SIGINT or SIGTERM
  --rate N[/s]       live spans per second with --continuous (default: 20)
  --config PATH      plan file (default: ./genai-cost.config.yaml, else the built-in demo plan)
  --database NAME    demo database, dropped and recreated (default: genai_cost_demo)

${CONNECTION}
`,
} as const;
