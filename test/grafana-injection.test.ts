import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { replacePlans } from '@genai-cost/clickhouse';
import type { PlanRow, SpanRow } from '@genai-cost/clickhouse';
import { ALL_FILTERS, FILTERS, TAG_VARIABLES, filterCondition, tagFilter, tagKeyExpression } from '@genai-cost/grafana';
import { insertSpans, spanRow } from '../packages/clickhouse/src/test-support/chdb.js';
import { loadDashboards } from './support/grafanaDashboards.js';
import { GrafanaQueryError, expandGrafanaQuery, interpolateBackendMacros } from './support/grafanaMacros.js';
import type { FormatRegistry, MacroContext, VariableValue } from './support/grafanaMacros.js';
import { GRAFANA_DATABASE, GrafanaChdb } from './support/grafanaChdb.js';

/**
 * A URL sets a dashboard variable to any text (`?var-tier=…`), and Grafana keeps it even when the
 * variable's query never listed it. Every panel, variable and alert query is expanded here with
 * such values exactly as Grafana 12 and the ClickHouse plugin would (support/grafanaMacros.ts),
 * run on chDB, and compared with the same query filtered by the value as an exact literal: the
 * result must be that value's rows, or none (a query Grafana or ClickHouse refuses), never more.
 */

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const DAY = 86_400_000;
const RANGE = { from: new Date(NOW - 10 * DAY), to: new Date(NOW) };

/** Values that end or escape a string literal, comment out the rest, or split one value into several. */
const HOSTILE = [
  "\\') OR 1=1) --",
  "'",
  '\\',
  "\\'",
  "' OR '1'='1",
  '-- comment',
  '/* c */ free',
  'line\nbreak',
  'crlf\r\n\ttab',
  'free,team',
  '&var-tier=free',
  'a=b',
  '%27%5C',
  '{free}',
  '"double" `back`',
  'é 🙂',
  '${tier}',
  '$tier',
];
/**
 * Names of the plugin's backend macros. Grafana 12 leaves `$` unencoded in `queryparam`, so the
 * backend rewrites these inside the literal (`$__table` becomes empty): such a value finds nothing.
 */
const MACRO_NAMES = ['$__table', '$__fromTime', '$__timeFrom', '$__interval'];

const dashboards = loadDashboards();
const sources = dashboards.flatMap((d) => d.panels.filter((p) => p.source === p.panel).map((p) => [p.name, p.panel.targets[0]!.rawSql!] as const));
const variableQueries = dashboards.flatMap((d) => d.json.templating.list.filter((v) => v.type === 'query').map((v) => [`${d.json.uid} / $${v.name}`, v.query!] as const));
/** The tag value variable's query, which names the tag key variable (the one chained variable). */
const tagValueQuery = variableQueries.find(([name]) => name.endsWith('$tag_value'))![1];
/** The tag every scenario's rows carry; hostile values are its values. */
const TAG_KEY = 'region';
const alertQueries = (
  parse(readFileSync(join(import.meta.dirname, '../grafana/provisioning/alerting/genai-cost-rules.yaml'), 'utf8')) as { groups: { rules: { title: string; data: { model: { rawSql?: string } }[] }[] }[] }
).groups.flatMap((g) => g.rules.map((r) => [r.title, r.data[0]!.model.rawSql!] as const));

/** Every filter of every dashboard, and the tag's values, set to `selection`; the tag key to `key`. */
const everyFilter = (selection: VariableValue, key: VariableValue = { value: TAG_KEY }): Record<string, VariableValue> => ({
  ...Object.fromEntries(ALL_FILTERS.map((f) => [f.name, selection])),
  [TAG_VARIABLES.key]: key,
  [TAG_VARIABLES.value]: selection,
});

const literal = (v: string) => `unhex('${Buffer.from(v, 'utf8').toString('hex')}')`;

/**
 * The panel's query with its filters replaced by exact literals of `values`, and the tag filter by
 * `key`'s values among them: the rows those values have.
 */
function referenceSql(sql: string, values: readonly string[], key = TAG_KEY, filtered = true): string {
  const literals = values.map(literal).join(', ');
  const tag = tagFilter();
  let out = sql
    .replaceAll(tag.spans, `Tags[${literal(key)}] IN (${literals})`)
    .replaceAll(tag.rollup, `TagKey = ${literal(key)} AND TagValue IN (${literals})`)
    .replaceAll(tag.active, '1')
    .replaceAll(tagKeyExpression(), literal(key));
  for (const f of ALL_FILTERS) out = out.replaceAll(filterCondition(f), filtered ? `${f.column} IN (${literals})` : '1=1');
  return interpolateBackendMacros(out, RANGE);
}

let ch: GrafanaChdb;

/** The sorted rows of `sql`, or 'none' when Grafana or ClickHouse refuses it. */
async function outcome(sql: () => string): Promise<string[] | 'none'> {
  let expanded: string;
  try {
    expanded = sql();
  } catch (err) {
    if (err instanceof GrafanaQueryError) return 'none';
    throw err;
  }
  try {
    return (await ch.rows<Record<string, unknown>>(expanded)).map((r) => JSON.stringify(r)).sort();
  } catch {
    return 'none';
  }
}

const rowsOf = async (sql: string) => (await ch.rows<Record<string, unknown>>(sql)).map((r) => JSON.stringify(r)).sort();
const expand = (sql: string, selection: VariableValue, registry: FormatRegistry) => () =>
  expandGrafanaQuery(sql, { ...RANGE, registry, variables: everyFilter(selection) } satisfies MacroContext);

beforeAll(async () => {
  ch = new GrafanaChdb();
  await ch.migrated(GRAFANA_DATABASE);
  const plan = (key: string, price: number): PlanRow => ({ kind: 'tier', key, tier: key, monthlyPriceUsd: price, monthlyBudgetUsd: 5, action: 'warn', targetMarginPct: 50, degradeModel: null, featureRevenuePerUserUsd: null });
  await replacePlans(ch.client, GRAFANA_DATABASE, [plan('free', 0), plan('team', 49)]);
  const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY);
  const rows: SpanRow[] = [];
  // Each row's region is its tier's value (or 'free' where the tier is 'free'), so the tag's values are the hostile ones too.
  const span = (i: number, daysAgo: number, columns: Pick<SpanRow, 'Tier' | 'Feature' | 'Model' | 'ServiceName'>, region = columns.Tier) =>
    rows.push(spanRow({ at: at(daysAgo), UserId: `u-${i}-${daysAgo % 2}`, SessionId: `s-${i}`, CostUsd: 0.01 * (i + daysAgo), Tags: region === '' ? {} : { [TAG_KEY]: region }, ...columns }));
  // Every value in all four filtered columns and the region tag, and in all but one of them with
  // 'free' in the last, so that one filter letting more through shows in the result; the tiers the values' pieces name;
  // and a row whose columns are all empty, which a value emptied by a backend macro would select.
  [...HOSTILE, ...MACRO_NAMES, 'free', 'team', ''].forEach((v, i) => {
    for (const d of [1, 2, 3]) span(i, d, { Tier: v, Feature: v, Model: v, ServiceName: v });
    for (const other of ['Tier', 'Feature', 'Model', 'ServiceName'] as const) span(i, 1, { Tier: v, Feature: v, Model: v, ServiceName: v, [other]: 'free' });
    span(i, 1, { Tier: v, Feature: v, Model: v, ServiceName: v }, 'free');
  });
  rows.push(spanRow({ at: at(1), UserId: 'unpriced', Tier: 'free', Feature: 'free', Model: 'free', ServiceName: 'free', Priced: false, UnpricedReason: 'unknown_model', PriceId: '' }));
  await insertSpans(ch.client, GRAFANA_DATABASE, rows);
  await ch.client.insert({
    table: `${GRAFANA_DATABASE}.budget_events`,
    values: [...HOSTILE, ...MACRO_NAMES, 'free', ''].map((v) => ({ Timestamp: new Date(NOW - DAY).toISOString().replace('T', ' ').replace('Z', ''), ServiceName: v, UserId: 'u', Tier: v, SessionId: '', State: 'exceeded', Action: 'block', Scope: 'period', SpentUsd: 6, LimitUsd: 5 })),
    format: 'JSONEachRow',
  });
}, 60_000);

afterAll(async () => {
  await ch.close();
});

describe('dashboard queries with hostile variable values', () => {
  const tierMargin = sources.find(([name]) => name.endsWith('/ Margin per tier'))![1];
  /** What a query shows for a value without rows: aggregates over nothing still give a row. */
  const nothing = (sql: string) => rowsOf(referenceSql(sql, ['\u0000absent']));

  it.each(sources)("%s: every hostile value at once finds their rows, through both of Grafana's formatters", async (_name, sql) => {
    const expected = await rowsOf(referenceSql(sql, HOSTILE));
    for (const registry of ['scenes', 'legacy'] as const) expect(await outcome(expand(sql, { values: HOSTILE }, registry)), registry).toEqual(expected);
  });

  it.each(sources)('%s: values naming backend macros find nothing, never more', async (_name, sql) => {
    const none = await nothing(sql);
    for (const registry of ['scenes', 'legacy'] as const) expect([none, 'none'], registry).toContainEqual(await outcome(expand(sql, { values: MACRO_NAMES }, registry)));
  });

  it.each(HOSTILE)("the tier-margin panel filtered by %j alone shows that tier's row", async (value) => {
    const expected = await rowsOf(referenceSql(tierMargin, [value]));
    expect(expected).toHaveLength(1);
    expect(await outcome(expand(tierMargin, { values: [value] }, 'scenes'))).toEqual(expected);
    // A URL with one value leaves it a plain string rather than an array.
    expect(await outcome(expand(tierMargin, { value }, 'scenes'))).toEqual(expected);
  });

  it.each(MACRO_NAMES)('the tier-margin panel filtered by %j alone shows nothing, never another tier', async (value) => {
    expect((await rowsOf(referenceSql(tierMargin, [value]))).length).toBe(1);
    expect([await nothing(tierMargin), 'none']).toContainEqual(await outcome(expand(tierMargin, { values: [value] }, 'scenes')));
  });

  it('the tier-margin panel has rows for every hostile tier, so the comparisons above are not empty', async () => {
    const tiers = (await ch.rows<{ tier: string }>(referenceSql(tierMargin, HOSTILE))).map((r) => r.tier).sort();
    expect(tiers).toEqual([...HOSTILE].sort());
  });

  it("the former singlequote form lets \\') OR 1=1) -- widen the same panel", async () => {
    const old = tierMargin.replaceAll(filterCondition(FILTERS.tier), "$__conditionalAll(Tier IN (${tier:singlequote}), $tier)");
    const value = HOSTILE[0]!;
    const variables = { ...everyFilter({ all: true }), tier: { values: [value] } };
    const widened = await ch.rows<{ tier: string }>(expandGrafanaQuery(old, { ...RANGE, variables }));
    expect(widened.map((r) => r.tier)).toContain('free');
    const safe = await ch.rows<{ tier: string }>(expandGrafanaQuery(tierMargin, { ...RANGE, variables }));
    expect(safe.map((r) => r.tier)).toEqual([value]);
  });

  it('without the percentencode check, a value naming a backend macro would select the empty tier in Grafana 12', async () => {
    const values = `arrayMap(p -> decodeURLComponent(substring(p, position(p, '=') + 1)), splitByChar('&', '\${tier:queryparam}'))`;
    const unguarded = tierMargin.replaceAll(filterCondition(FILTERS.tier), `$__conditionalAll(has(${values}, Tier), $tier)`);
    const variables = { ...everyFilter({ all: true }), tier: { values: ['$__table'] } };
    expect((await ch.rows<{ tier: string }>(expandGrafanaQuery(unguarded, { ...RANGE, variables }))).map((r) => r.tier)).toEqual(['']);
    expect(await ch.rows(expandGrafanaQuery(tierMargin, { ...RANGE, variables }))).toEqual([]);
  });

  const tagPanels = sources.filter(([name]) => /\/ (Margin per tier|Session cost P50|Cost per value of the tag)/.test(name));

  it('the tag panels are the ones these tests expect', () => {
    expect(tagPanels).toHaveLength(3);
  });

  it.each(tagPanels)('%s: hostile tag keys find nothing, never another tag', async (_name, sql) => {
    const values = ['free', ...HOSTILE];
    // No span has any of these keys, so each finds what a key no span has finds.
    const none = await rowsOf(referenceSql(sql, values, '\u0000absent', false));
    for (const key of [...HOSTILE, ...MACRO_NAMES, 'no_such_tag', 'REGION']) {
      const expected = none;
      // The registries differ only in how `queryparam` encodes `$`.
      for (const registry of key.includes('$') ? (['scenes', 'legacy'] as const) : (['scenes'] as const)) {
        const variables = { ...everyFilter({ all: true }), [TAG_VARIABLES.key]: { value: key }, [TAG_VARIABLES.value]: { values } };
        expect([expected, 'none'], `${registry} ${JSON.stringify(key)}`).toContainEqual(await outcome(() => expandGrafanaQuery(sql, { ...RANGE, registry, variables })));
      }
    }
    // The real key finds the values' rows; a URL giving the key twice filters by the first.
    const byKey = (key: VariableValue) => outcome(() => expandGrafanaQuery(sql, { ...RANGE, variables: { ...everyFilter({ all: true }), [TAG_VARIABLES.key]: key, [TAG_VARIABLES.value]: { values } } }));
    const expected = await rowsOf(referenceSql(sql, values, TAG_KEY, false));
    expect(expected.length).toBeGreaterThan(0);
    expect(await byKey({ value: TAG_KEY })).toEqual(expected);
    expect(await byKey({ values: [TAG_KEY, HOSTILE[0]!] })).toEqual(expected);
  });

  it("the tag value variable lists the key's values, and nothing for a hostile key", async () => {
    const values = async (key: VariableValue, registry: FormatRegistry = 'scenes') =>
      outcome(() => expandGrafanaQuery(tagValueQuery, { ...RANGE, registry, variables: { [TAG_VARIABLES.key]: key, [TAG_VARIABLES.value]: { all: true } } }));
    const listed = await values({ value: TAG_KEY });
    expect(listed).toEqual([...HOSTILE, ...MACRO_NAMES, 'free', 'team'].map((v) => JSON.stringify({ TagValue: v })).sort());
    for (const key of [...HOSTILE, ...MACRO_NAMES]) for (const registry of ['scenes', 'legacy'] as const) expect([[], 'none']).toContainEqual(await values({ value: key }, registry));
  });

  it.each([...variableQueries.filter(([, sql]) => sql !== tagValueQuery), ...alertQueries])('%s names no variable, so no value reaches it', async (_name, sql) => {
    for (const registry of ['scenes', 'legacy'] as const) {
      expect(expandGrafanaQuery(sql, { ...RANGE, registry, variables: everyFilter({ values: HOSTILE }) })).toBe(expandGrafanaQuery(sql, { ...RANGE, registry }));
    }
    await ch.rows(expandGrafanaQuery(sql, { ...RANGE, variables: everyFilter({ values: HOSTILE }) }));
  });
});
