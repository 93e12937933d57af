/**
 * Expands a panel or alert query the way Grafana and the ClickHouse plugin (v4) do before the
 * SQL reaches ClickHouse, so the tests run exactly what a dashboard would send:
 * 1. `$__conditionalAll(cond, $v)` (plugin frontend) → `cond`, or `1=1` when `$v` is All or empty;
 * 2. template variables (Grafana) `$v`, `${v}`, `${v:singlequote}`, `${v:csv}`, multi-valued;
 * 3. time macros (plugin backend) `$__timeFilter`, `$__timeFilter_ms`, `$__dateFilter`,
 *    `$__fromTime`, `$__toTime`, `$__timeInterval`, `$__interval_s`.
 */

/** A template variable's current selection: its values, or All. */
export type VariableValue = { all: true } | { all?: false; values: string[] };

/** What the query is expanded with. */
export interface MacroContext {
  /** Range; whole seconds, as Grafana's macros drop milliseconds except in the `_ms` forms. */
  from: Date;
  to: Date;
  /** Panel interval, seconds. Default: 60. */
  intervalSeconds?: number;
  /** Default: none. A `$name` that is not here is left as is (and fails the leftover check). */
  variables?: Record<string, VariableValue>;
}

/** The index just past the parenthesis that closes the one at `open`. */
function closingParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced parentheses after position ${open} in: ${sql.slice(open, open + 80)}`);
}

/** Replaces every `name(args)` call with `expand(args)`; args are split at top-level commas. */
function replaceCalls(sql: string, name: string, expand: (args: string[]) => string): string {
  let out = '';
  let rest = sql;
  for (let at = rest.indexOf(`${name}(`); at >= 0; at = rest.indexOf(`${name}(`)) {
    const open = at + name.length;
    const end = closingParen(rest, open);
    const inner = rest.slice(open + 1, end - 1);
    const args: string[] = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < inner.length; i++) {
      if (inner[i] === '(') depth++;
      else if (inner[i] === ')') depth--;
      else if (inner[i] === ',' && depth === 0) {
        args.push(inner.slice(start, i).trim());
        start = i + 1;
      }
    }
    args.push(inner.slice(start).trim());
    out += rest.slice(0, at) + expand(args);
    rest = rest.slice(end);
  }
  return out + rest;
}

const quote = (v: string) => `'${v.replaceAll("'", "\\'")}'`;

function formatVariable(value: VariableValue, format: string | undefined, allValues: string[] | undefined): string {
  const values = value.all ? (allValues ?? []) : value.values;
  switch (format) {
    case 'csv':
      return values.join(',');
    case 'singlequote':
    case undefined:
      // SQL data sources quote multi-value variables; the plugin does the same for `$v`.
      return values.map(quote).join(',');
    default:
      throw new Error(`variable format ${format} is not supported by this expander`);
  }
}

/** The query with every Grafana variable and ClickHouse plugin macro expanded. */
export function expandGrafanaQuery(sql: string, ctx: MacroContext, allValues: Record<string, string[]> = {}): string {
  const variables = ctx.variables ?? {};
  const fromS = Math.floor(ctx.from.getTime() / 1000);
  const toS = Math.floor(ctx.to.getTime() / 1000);
  const interval = Math.max(ctx.intervalSeconds ?? 60, 1);
  const date = (s: number) => `toDate('${new Date(s * 1000).toISOString().slice(0, 10)}')`;

  let out = replaceCalls(sql, '$__conditionalAll', ([cond, ref]) => {
    const name = /^\$\{?(\w+)/.exec(ref ?? '')?.[1];
    const value = name === undefined ? undefined : variables[name];
    if (value === undefined) throw new Error(`$__conditionalAll names unknown variable ${ref}`);
    return value.all || value.values.length === 0 ? '1=1' : cond!;
  });
  out = out.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (match, braced: string | undefined, format: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    const value = variables[name];
    return value === undefined ? match : formatVariable(value, format, allValues[name]);
  });
  out = replaceCalls(out, '$__timeFilter_ms', ([c]) => `${c} >= fromUnixTimestamp64Milli(${ctx.from.getTime()}) AND ${c} <= fromUnixTimestamp64Milli(${ctx.to.getTime()})`);
  out = replaceCalls(out, '$__timeFilter', ([c]) => `${c} >= toDateTime(${fromS}) AND ${c} <= toDateTime(${toS})`);
  out = replaceCalls(out, '$__dateFilter', ([c]) => `${c} >= ${date(fromS)} AND ${c} <= ${date(toS)}`);
  out = replaceCalls(out, '$__timeInterval', ([c]) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${interval} second)`);
  out = out.replaceAll('$__fromTime', `toDateTime(${fromS})`).replaceAll('$__toTime', `toDateTime(${toS})`).replaceAll('$__interval_s', String(interval));
  const leftover = /\$\w+|\$\{/.exec(out);
  if (leftover) throw new Error(`unexpanded ${leftover[0]} in query: ${out.slice(Math.max(0, leftover.index - 40), leftover.index + 40)}`);
  return out;
}
