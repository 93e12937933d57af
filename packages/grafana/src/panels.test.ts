import { describe, expect, it } from 'vitest';
import { layoutPanels } from './panels.js';
import type { PanelSpec } from './panels.js';

const spec = (w: number, h = 4): PanelSpec => ({ type: 'stat', title: `w${w}`, description: '', rawSql: 'SELECT 1', w, h });

describe('layoutPanels', () => {
  it('flows panels left to right and wraps below the tallest of the row', () => {
    const panels = layoutPanels([spec(12, 6), spec(12, 4), spec(8)]);
    expect(panels.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 12, h: 6 },
      { x: 12, y: 0, w: 12, h: 4 },
      { x: 0, y: 6, w: 8, h: 4 },
    ]);
    expect(panels.map((p) => p.id)).toEqual([1, 2, 3]);
  });

  it('makes table targets for table panels and time-series targets for time series', () => {
    const [table, series] = layoutPanels([spec(6), { ...spec(6), type: 'timeseries', format: 'timeseries' }]);
    expect(table!.targets[0]).toMatchObject({ format: 1, queryType: 'table', editorType: 'sql', refId: 'A' });
    expect(series!.targets[0]).toMatchObject({ format: 0, queryType: 'timeseries' });
  });
});
