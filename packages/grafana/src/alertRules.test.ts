import { describe, expect, it } from 'vitest';
import { ALERT_GROUPS, alertRulesFile } from './alertRules.js';
import { resolveGenerateOptions } from './dashboard.js';
import { filterCondition, FILTERS, tagFilter, tagKeyExpression } from './variables.js';

describe('alert rules', () => {
  it('query the fixed data source with no template variables', () => {
    const file = alertRulesFile(resolveGenerateOptions()) as { groups: { rules: { data: { datasourceUid: string; model: { rawSql?: string } }[] }[] }[] };
    for (const rule of file.groups.flatMap((g) => g.rules)) {
      const sql = rule.data[0]!.model.rawSql!;
      expect(rule.data[0]!.datasourceUid).toBe('genai-cost-clickhouse');
      expect(sql).not.toMatch(/\$__conditionalAll|\$\{/);
      expect(sql).toContain('genai_cost.');
    }
  });

  it('link to the dashboard of the given Grafana URL', () => {
    const file = alertRulesFile(resolveGenerateOptions({ grafanaUrl: 'https://grafana.example.com/' })) as { groups: { rules: { annotations: { dashboard: string } }[] }[] };
    expect(file.groups[0]!.rules[0]!.annotations.dashboard).toMatch(/^https:\/\/grafana\.example\.com\/d\/genai-cost-/);
  });

  it('have unique uids', () => {
    const uids = ALERT_GROUPS.flatMap((g) => g.rules.map((r) => r.uid));
    expect(new Set(uids).size).toBe(uids.length);
  });
});

describe('filterCondition', () => {
  it('is dropped by the plugin when the variable is All, and reads the selection only percent-encoded', () => {
    const condition = filterCondition(FILTERS.tier);
    expect(condition).toMatch(/^\$__conditionalAll\(has\(.*, Tier\) AND .*, \$tier\)$/);
    // The plugin substitutes the condition with String.replace, where `$'` and `$&` are patterns.
    expect(condition).not.toMatch(/\$['&`$\d]/);
    expect([...condition.matchAll(/\$\{tier:(\w+)\}/g)].map((m) => m[1])).toEqual(['queryparam', 'percentencode']);
    // Each interpolation sits alone inside a string literal that the encoded text cannot end.
    expect(condition.match(/'\$\{tier:\w+\}'/g)).toHaveLength(2);
  });
});

describe('tagFilter', () => {
  it('reads tag_key and tag_value only percent-encoded inside literals, and is dropped while tag_value is All', () => {
    const { spans, rollup, active } = tagFilter();
    for (const condition of [spans, rollup]) {
      expect(condition).toMatch(/^\$__conditionalAll\(.*, \$tag_value\)$/);
      expect(condition).not.toMatch(/\$['&`$\d]/);
      for (const m of condition.matchAll(/\$\{(\w+):(\w+)\}/g)) expect(['queryparam', 'percentencode'], m[0]).toContain(m[2]);
      expect(condition.match(/\$\{tag_(key|value):\w+\}/g)!.length).toBe(condition.match(/'\$\{tag_(key|value):\w+\}'/g)!.length);
      expect(condition).toContain(tagKeyExpression());
    }
    expect(active).toBe('NOT $__conditionalAll(0, $tag_value)');
  });
});
