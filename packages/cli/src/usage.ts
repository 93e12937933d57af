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

const COMMON = `  --config PATH      plan file (default: ./genai-cost.config.yaml when it exists)
${DATABASE}`;

/** `genai-cost --help`. */
export const MAIN_USAGE = `genai-cost — LLM cost attribution and per-tier margin for SaaS products

Usage: genai-cost <command> [options]
       genai-cost --version

Commands:
  migrate    create or update the ClickHouse schema and load the plans from the plan file
  report     per-tier margin, top users, features, models, sessions, accounts, cohorts, weeks or tags
  demo       generate a month of a simulated SaaS's LLM traffic and report on it
  users      import the users from billing (tier, signup date, price) from a CSV file
  suggest-caps
             session caps and monthly budgets per tier suggested by past spend
  serve      receive OTLP/HTTP traces from any app or OpenTelemetry Collector, price and store them
  prices     look up the price of a model, or list the price catalog
  reprice    recompute stored spans' cost with today's catalog (a price added or corrected)

Run "genai-cost <command> --help" for a command's options.

${CONNECTION}

Exit status: 0 ok, 1 ClickHouse or run-time failure, 2 bad flag, plan file or users file.
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
  --by KIND          tier (default), user, feature, model, session, account,
                     cohort (signup month × tier of the imported users), week (per tier per UTC week)
                     or tag:KEY (per value of the tag KEY, set with withAttribution({ tags }) or saas.tag.KEY)
  --since N{d|h}     window ending now (default: 30d)
  --from, --to ISO   an explicit window (ISO 8601 date or time; --to defaults to now)
  --format FORMAT    table (default), json (the rows as returned) or csv (with a header)
  --limit N          at most N rows (the top N for users and accounts)
  --config PATH      plan file, for its clickhouse: settings (default: ./genai-cost.config.yaml)
${DATABASE}; in ./.genai-cost/chdb, while genai_cost
                     has no spans, the demo's genai_cost_demo (said on stderr)

Revenue of a tier = active users × monthly price × days in window / 30; margin % is undefined
(—) where revenue is 0. Users imported with "genai-cost users import" count in their imported
tier at their imported price. The table also shows the cost skew and the count of unpriced spans.

${CONNECTION}
`,
  demo: `Usage: genai-cost demo [--users 2000] [--days 30] [--seed 42]
                        [--continuous [--rate 20/s] [--otlp-endpoint URL [--otlp-share 1]]]

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
  --otlp-endpoint URL
                     with --continuous, send live sessions over OTLP/HTTP (protobuf) to URL (an
                     OpenTelemetry Collector or genai-cost serve) unpriced, attributed by span
                     attributes as an app in another language is; the receiver prices and stores them
  --otlp-share F     the fraction of live sessions sent there, the rest go straight (default: 1)
  --config PATH      plan file (default: ./genai-cost.config.yaml, else the built-in demo plan)
  --database NAME    demo database, dropped and recreated (default: genai_cost_demo)

${CONNECTION}
`,
  users: `Usage: genai-cost users import FILE.csv [--config PATH] [--database NAME]

Replaces the imported users with the users in FILE.csv, a full export from billing: a user left
out of a later import goes back to the tier of their spans and the plan's price. Where a user is
imported, the report counts their cost and revenue in the imported tier, at the imported price
(else the plan file's price for the user, else the tier's). Every row is checked first; with any
error nothing is imported (exit status 2).

The file: a header row, then one row per user. Columns, in any order (case, spaces, "_" and "-"
in the names do not matter):
  userId            the id the app passes as userId (user.id on spans)
  tier              one of the plan file's tiers
  signupDate        YYYY-MM-DD (a time after it is ignored); its month is the user's cohort
  monthlyPriceUsd   optional: USD per month when it differs from the tier's; empty = the tier's

Options:
${COMMON}

${CONNECTION}
`,
  'suggest-caps': `Usage: genai-cost suggest-caps [--since 30d | --from ISO [--to ISO]] [--format FORMAT]

Per tier, from the window's spend: the P50 / P90 / P95 session cost and a session cap of 3 × P90
(with the sessions it would have cut); the monthly budget per user that keeps the tier at its
target margin, price × (1 − target margin), the target being the plan's targetMarginPct, else
100 − its targetAiCogsPct (default 8); and how many users the current and the suggested budgets
would have stopped (cost in the window above budget × days / 30).

Options:
  --since N{d|h}     window ending now (default: 30d)
  --from, --to ISO   an explicit window (ISO 8601 date or time; --to defaults to now)
  --format FORMAT    table (default), json or csv
${COMMON}

${CONNECTION}
`,
  prices: `Usage: genai-cost prices lookup MODEL [--provider P] [--at DATE] [--catalog URL|FILE] [--format FORMAT]
       genai-cost prices list [--provider P] [--at DATE] [--catalog URL|FILE] [--format FORMAT]

lookup shows which catalog entry a model name (in any platform's spelling: Bedrock ids and ARNs,
Vertex resource names, OpenRouter vendor/model, dated snapshots) matches and why, and every price
period with its dimensions and source. list shows every priced model, or one provider's.

Options:
  --provider P       the provider as spans name it (openai, aws.bedrock, gcp.vertex_ai, groq, ...)
  --at DATE          show the price in force at this ISO 8601 date or time (default: now)
  --catalog SOURCE   a newer catalog (URL or file in the format of the bundled prices.json)
  --format FORMAT    table (default), json or csv (list only)
  --config PATH      plan file whose prices: are laid over the catalog
`,
  reprice: `Usage: genai-cost reprice [--since 30d | --from ISO [--to ISO]] [--only-unpriced] [--dry-run] [--catalog URL|FILE]

Recomputes the cost of the model-call spans stored in the window from their stored tokens with
today's catalog (and the plan file's prices), rewrites the changed spans and rebuilds the rollup
days they fall in, so every report agrees afterwards. Spans priced by another tool are left alone.
Running it again changes nothing.

Options:
  --since N{d|h}     window ending now (default: 30d)
  --from, --to ISO   an explicit window (--to defaults to now)
  --only-unpriced    only price spans stored without a price; leave priced ones as they are
  --dry-run          report what would change without writing
  --catalog SOURCE   a newer catalog (URL or file in the format of the bundled prices.json)
${COMMON}

${CONNECTION}
`,
  serve: `Usage: genai-cost serve [--port 4318] [--host 127.0.0.1] [--keep-all-spans] [--spool-dir DIR]

Receives OTLP/HTTP traces (POST /v1/traces, protobuf or JSON, gzip) from apps in any language or
an OpenTelemetry Collector's otlp_http exporter, prices and attributes the GenAI spans with the
plan file's prices, and stores them in ClickHouse (run "genai-cost migrate" first) through a
durable queue: a request is answered 200 once queued, 429 or 503 with Retry-After when it cannot
be. Also serves GET /healthz, GET /readyz and GET /metrics (Prometheus text). Stops on SIGINT or
SIGTERM after finishing the requests in progress and sending what is queued.

Options (flags beat the environment variable named after each, which beats the plan file's serve:):
  --port N           port (GENAI_COST_SERVE_PORT, serve.port; default: 4318)
  --host ADDRESS     interface (GENAI_COST_SERVE_HOST, serve.host; default: 127.0.0.1; 0.0.0.0 for all)
  --keep-all-spans   store non-GenAI spans too (GENAI_COST_SERVE_KEEP_ALL_SPANS=true, serve.keepAllSpans)
  --spool-dir DIR    keep the queue on disk in DIR: accepted spans survive a restart, and exports are
                     taken while ClickHouse is away (GENAI_COST_SERVE_SPOOL_DIR, serve.spoolDir;
                     default: none, the queue is in memory and exports get 503 while ClickHouse is away)
${COMMON}

Environment (and plan file):
  GENAI_COST_SERVE_TOKEN            require "Authorization: Bearer <token>" (16+ characters)
  GENAI_COST_SERVE_TLS_CERT, _KEY   PEM files: serve HTTPS (serve.tlsCert, serve.tlsKey)
  GENAI_COST_SERVE_MAX_BODY_MB      body limit after decompression (serve.maxBodyMb; default: 64)
  GENAI_COST_SERVE_MAX_QUEUE_MB     queue bound in memory (serve.maxQueueMb; default: 64)
  GENAI_COST_SERVE_MAX_SPOOL_MB     spool bound on disk (serve.maxSpoolMb; default: 1024)
  serve.recentModelCalls            { maxSpans, maxAgeSeconds } of the memory of model-call spans
                                    for duplicates across requests (default: 100000, 600)

${CONNECTION}
`,
} as const;
