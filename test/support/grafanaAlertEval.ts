import type { TypedResult } from './grafanaChdb.js';

/** A provisioned rule's parts that its evaluation needs. */
export interface ProvisionedRule {
  uid: string;
  title: string;
  condition: string;
  data: {
    refId: string;
    relativeTimeRange?: { from: number; to: number };
    datasourceUid: string;
    model: { rawSql?: string; type?: string; expression?: string; reducer?: string; conditions?: { evaluator: { type: string; params: number[] } }[] };
  }[];
}

/** One alert instance: its labels from the query, the reduced value and whether the condition holds. */
export interface AlertInstance {
  labels: Record<string, string>;
  value: number;
  firing: boolean;
}

const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/;

/**
 * Turns a table-format result into series as Grafana's alerting does: every String column is a
 * label, the one numeric column the value (more than one is an error in Grafana too).
 */
export function tableToSeries(result: TypedResult): { labels: Record<string, string>; value: number }[] {
  const numeric = result.meta.filter((m) => NUMERIC.test(m.type));
  if (numeric.length !== 1) throw new Error(`an alert query needs exactly one numeric column, got ${numeric.map((m) => m.name).join(', ') || 'none'}`);
  const valueColumn = numeric[0]!.name;
  const labelColumns = result.meta.filter((m) => m.name !== valueColumn).map((m) => m.name);
  return result.data.map((row) => ({
    labels: Object.fromEntries(labelColumns.map((c) => [c, String(row[c])])),
    value: row[valueColumn] === null ? Number.NaN : Number(row[valueColumn]),
  }));
}

/** Grafana's threshold evaluators (SSE `threshold` expression). */
export function thresholdHolds(type: string, params: number[], x: number): boolean {
  const [a = Number.NaN, b = Number.NaN] = params;
  switch (type) {
    case 'gt':
      return x > a;
    case 'lt':
      return x < a;
    case 'within_range':
      return x > a && x < b;
    case 'outside_range':
      return x < a || x > b;
    default:
      throw new Error(`threshold type ${type} is not evaluated here`);
  }
}

/**
 * Evaluates a rule's reduce and threshold on the query result: one instance per series. With
 * one row per series, `last` is the row's value; a null value stays NaN, which no threshold holds.
 */
export function evaluateRule(rule: ProvisionedRule, result: TypedResult): AlertInstance[] {
  const byRef = new Map(rule.data.map((d) => [d.refId, d]));
  const threshold = byRef.get(rule.condition)!;
  const reduce = byRef.get(threshold.model.expression!)!;
  if (threshold.model.type !== 'threshold' || reduce.model.type !== 'reduce' || reduce.model.reducer !== 'last') {
    throw new Error(`rule ${rule.uid}: expected condition = threshold over reduce(last)`);
  }
  const { type, params } = threshold.model.conditions![0]!.evaluator;
  return tableToSeries(result).map((s) => ({ ...s, firing: thresholdHolds(type, params, s.value) }));
}
