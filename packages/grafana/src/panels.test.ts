import { describe, expect, it } from 'vitest';
import { DASHBOARD_DATASOURCE } from './datasource.js';
import { layoutPanels } from './panels.js';
import type { PanelQuery, PanelSpec } from './panels.js';

const query: PanelQuery = { sql: 'SELECT 1 AS revenueUsd, 2 AS costUsd', columns: ['revenueUsd', 'costUsd'] };
const spec = (w: number, h = 4, q: PanelQuery = query): PanelSpec => ({ type: 'table', title: `w${w}`, description: '', query: q, w, h });

describe('layoutPanels', () => {
  it('flows panels left to right and wraps below the tallest of the row', () => {
    const panels = layoutPanels([spec(12, 6), spec(12, 4, { ...query }), spec(8, 4, { ...query })]);
    expect(panels.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 12, h: 6 },
      { x: 12, y: 0, w: 12, h: 4 },
      { x: 0, y: 6, w: 8, h: 4 },
    ]);
    expect(panels.map((p) => p.id)).toEqual([1, 2, 3]);
  });

  it('runs a query once: later panels of it read the first one through the dashboard data source', () => {
    const [first, second] = layoutPanels([spec(6), { ...spec(6), type: 'stat', fields: ['costUsd'] }]);
    expect(first!.targets).toEqual([expect.objectContaining({ format: 1, queryType: 'table', editorType: 'sql', refId: 'A', rawSql: query.sql })]);
    expect(second!.targets).toEqual([{ refId: 'A', datasource: DASHBOARD_DATASOURCE, panelId: 1 }]);
    expect(second!.datasource).toEqual(DASHBOARD_DATASOURCE);
    expect(second!.transformations).toEqual([{ id: 'filterFieldsByName', options: { include: { names: ['costUsd'] } } }]);
    expect(first!.transformations).toEqual([]);
  });

  it('titles every shown column and gives it its unit', () => {
    const [panel] = layoutPanels([spec(6)]);
    expect(panel!.fieldConfig.overrides).toEqual([
      { matcher: { id: 'byName', options: 'revenueUsd' }, properties: [{ id: 'displayName', value: 'Revenue' }, { id: 'unit', value: 'currencyUSD' }] },
      { matcher: { id: 'byName', options: 'costUsd' }, properties: [{ id: 'displayName', value: 'LLM cost' }, { id: 'unit', value: 'currencyUSD' }] },
    ]);
  });

  it('turns a table into one series per label value for a time series', () => {
    const trend: PanelQuery = { sql: 'SELECT …', columns: ['time', 'tier', 'grossMarginUsd', 'grossMarginPct'] };
    const [panel] = layoutPanels([{ ...spec(12, 6, trend), type: 'timeseries', fields: ['time', 'tier', 'grossMarginPct'], skipNullsOf: 'grossMarginPct' }]);
    expect(panel!.transformations.map((t) => t.id)).toEqual(['filterFieldsByName', 'filterByValue', 'prepareTimeSeries']);
    expect(panel!.fieldConfig.defaults).toMatchObject({ displayName: '${__field.labels.tier}', unit: 'percent' });
  });

  it('rejects a column its query does not return', () => {
    expect(() => layoutPanels([{ ...spec(6), fields: ['tier'] }])).toThrow('panel "w6" shows tier, which its query does not return');
  });
});
