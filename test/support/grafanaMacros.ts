import { applyConditionalAll, interpolateVariables } from './grafanaTemplating.js';
import type { FormatRegistry, VariableValue } from './grafanaTemplating.js';

export type { FormatRegistry, VariableValue } from './grafanaTemplating.js';

/**
 * Expands a panel, variable or alert query the way Grafana 12 and the ClickHouse plugin (4.20)
 * do before the SQL reaches ClickHouse, so the tests run exactly what a dashboard would send:
 * the browser half (`$__conditionalAll`, then the template variables: see grafanaTemplating.ts),
 * then the plugin's backend macros. Those are expanded by `sqlutil.Interpolate`
 * (grafana/grafana-plugin-sdk-go data/sqlutil/macros.go: longest name first, `\$__name\b`, an
 * argument list only when `(` follows at once, every occurrence replaced) over the plugin's
 * macros (grafana/clickhouse-datasource pkg/macros/macros.go) and the SDK's defaults.
 */

/** What the query is expanded with. */
export interface MacroContext {
  /** Range; whole seconds, as Grafana's macros drop milliseconds except in the `_ms` forms. */
  from: Date;
  to: Date;
  /** Panel interval, seconds. Default: 60. */
  intervalSeconds?: number;
  /** The dashboard's variables. Default: none. */
  variables?: Record<string, VariableValue>;
  /** Grafana 12 dashboards use Scenes' formatters; `legacy` follows the pre-Scenes path. Default: scenes. */
  registry?: FormatRegistry;
}

/** A query Grafana or the plugin would refuse to run: the panel shows an error and no rows. */
export class GrafanaQueryError extends Error {
  override readonly name = 'GrafanaQueryError';
}

type Macro = (args: string[]) => string;

/** sqlutil parseArgs: the bracketed, comma-separated arguments at the start of `s`, and their length; -1: unclosed. */
function parseArgs(s: string): [string[], number] {
  if (!s.startsWith('(')) return [[], 0];
  const args: string[] = [];
  let depth = 0;
  let arg = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '(' && ++depth === 1) continue;
    if (c === ')' && --depth === 0) {
      args.push(arg.trim());
      return [args, i + 1];
    }
    if (c === ',' && depth === 1) {
      args.push(arg.trim());
      arg = '';
      continue;
    }
    arg += c;
  }
  return [[], -1];
}

/** gtime.FormatInterval. */
function formatInterval(ms: number): string {
  const units: [number, string][] = [
    [365 * 86_400_000, 'y'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ];
  const unit = units.find(([size]) => ms >= size);
  return unit === undefined ? '1ms' : `${Math.floor(ms / unit[0])}${unit[1]}`;
}

function backendMacros(ctx: MacroContext): Record<string, Macro> {
  const fromMs = ctx.from.getTime();
  const toMs = ctx.to.getTime();
  const intervalMs = (ctx.intervalSeconds ?? 60) * 1000;
  const seconds = (ms: number) => `toDateTime(${Math.floor(ms / 1000)})`;
  const millis = (ms: number) => `fromUnixTimestamp64Milli(${ms})`;
  const date = (ms: number) => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`;
  const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const arity = (n: number, f: (args: string[]) => string): Macro => (args) => {
    if (args.length !== n) throw new GrafanaQueryError(`unexpected number of arguments: expected ${n} argument, received ${args.length}`);
    return f(args);
  };
  const sdkDefaults: Record<string, Macro> = {
    interval: () => formatInterval(intervalMs),
    interval_ms: () => String(intervalMs),
    timeFrom: arity(1, ([c]) => `${c} >= '${rfc3339(fromMs)}'`),
    timeTo: arity(1, ([c]) => `${c} <= '${rfc3339(toMs)}'`),
    timeGroup: arity(2, () => {
      throw new GrafanaQueryError('$__timeGroup is not used by the genai-cost dashboards');
    }),
    // The plugin's SQL queries carry no table or column.
    table: () => '',
    column: () => '',
  };
  const plugin: Record<string, Macro> = {
    fromTime: () => seconds(fromMs),
    toTime: () => seconds(toMs),
    fromTime_ms: () => millis(fromMs),
    toTime_ms: () => millis(toMs),
    timeFilter: arity(1, ([c]) => `${c} >= ${seconds(fromMs)} AND ${c} <= ${seconds(toMs)}`),
    timeFilter_ms: arity(1, ([c]) => `${c} >= ${millis(fromMs)} AND ${c} <= ${millis(toMs)}`),
    dateFilter: arity(1, ([c]) => `${c} >= ${date(fromMs)} AND ${c} <= ${date(toMs)}`),
    dateTimeFilter: arity(2, ([d, t]) => `(${d} >= ${date(fromMs)} AND ${d} <= ${date(toMs)}) AND (${t} >= ${seconds(fromMs)} AND ${t} <= ${seconds(toMs)})`),
    timeInterval: arity(1, ([c]) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${Math.max(intervalMs / 1000, 1)} second)`),
    timeInterval_ms: arity(1, ([c]) => `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${Math.max(intervalMs, 1)} millisecond)`),
    interval_s: () => String(Math.max(Math.floor(intervalMs / 1000), 1)),
  };
  plugin.dt = plugin.dateTimeFilter!;
  return { ...sdkDefaults, ...plugin };
}

/** sqlutil.Interpolate over the plugin's macros. */
export function interpolateBackendMacros(sql: string, ctx: MacroContext): string {
  const macros = backendMacros(ctx);
  let out = sql;
  for (const name of Object.keys(macros).sort((a, b) => b.length - a.length)) {
    const matches: { full: string; args: string[] }[] = [];
    for (const m of out.matchAll(new RegExp(`\\$__${name}\\b`, 'g'))) {
      const end = m.index + m[0].length;
      const [args, length] = parseArgs(out.slice(end));
      if (length < 0) throw new GrafanaQueryError('failed to parse macro arguments (missing close bracket?)');
      matches.push({ full: out.slice(m.index, end + length), args });
    }
    for (const match of matches) out = out.replaceAll(match.full, macros[name]!(match.args));
  }
  return out;
}

/**
 * The query with every Grafana variable and ClickHouse plugin macro expanded. Throws
 * {@link GrafanaQueryError} where Grafana would show an error instead of running the query.
 */
export function expandGrafanaQuery(sql: string, ctx: MacroContext, allValues: Record<string, string[]> = {}): string {
  const variables = ctx.variables ?? {};
  const withConditions = applyConditionalAll(sql, variables);
  let interpolated: string;
  try {
    interpolated = interpolateVariables(withConditions, variables, allValues, ctx.registry ?? 'scenes');
  } catch (err) {
    // encodeURIComponent throws on a lone surrogate, and the panel shows the error.
    if (err instanceof URIError) throw new GrafanaQueryError(err.message);
    throw err;
  }
  return interpolateBackendMacros(interpolated, ctx);
}

/**
 * Every `$name` of a query as written that neither a variable nor a backend macro explains:
 * a typo that Grafana would send to ClickHouse as it is.
 */
export function unknownReferences(sql: string, variables: readonly string[]): string[] {
  const known = new Set([...variables, ...Object.keys(backendMacros({ from: new Date(0), to: new Date(0) })).map((m) => `__${m}`), '__conditionalAll']);
  return [...sql.matchAll(/\$\{?(\w+)/g)].map((m) => m[1]!).filter((name) => !known.has(name));
}
