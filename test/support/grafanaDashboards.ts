import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, resolveGenerateOptions } from '@genai-cost/grafana';
import type { FieldName, PanelSpec } from '@genai-cost/grafana';

const DIR = join(import.meta.dirname, '../../grafana/dashboards');

/** A panel as the committed JSON has it. */
export interface PanelJson {
  id: number;
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  targets: { refId: string; rawSql?: string; format?: number; panelId?: number; datasource: { type: string; uid: string } }[];
  transformations: { id: string; options: { include?: { names: string[] } } }[];
  fieldConfig: {
    defaults: { displayName?: string; unit?: string; thresholds: { steps: unknown[] } };
    overrides: { matcher: { id: string; options: string }; properties: { id: string; value: unknown }[] }[];
  };
  options: Record<string, unknown>;
  gridPos: { x: number; y: number; w: number; h: number };
}

/** A dashboard as the committed JSON has it. */
export interface DashboardJson {
  uid: string;
  title: string;
  schemaVersion: number;
  links: Record<string, unknown>[];
  templating: { list: { type: string; name: string; query?: string; multi?: boolean; includeAll?: boolean }[] };
  panels: PanelJson[];
}

/** A committed panel with the spec it was generated from, the columns it shows, and the panel whose query feeds it. */
export interface LoadedPanel {
  name: string;
  dashboard: DashboardJson;
  panel: PanelJson;
  spec: PanelSpec;
  shown: readonly FieldName[];
  /** The panel that runs the query on ClickHouse: this one, or the one it reads through `-- Dashboard --`. */
  source: PanelJson;
}

/** The committed dashboards, in the order of DASHBOARDS, each with its generating spec. */
export function loadDashboards(): { file: string; json: DashboardJson; panels: LoadedPanel[] }[] {
  const params = resolveGenerateOptions();
  return DASHBOARDS.map((spec) => {
    const file = `${spec.slug}.json`;
    const json = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as DashboardJson;
    const specs = spec.panels(params);
    const panels = json.panels.map((panel, i) => {
      const panelSpec = specs[i]!;
      const sourceId = panel.targets[0]!.panelId ?? panel.id;
      return {
        name: `${json.uid} / ${panel.title}`,
        dashboard: json,
        panel,
        spec: panelSpec,
        shown: panelSpec.fields ?? panelSpec.query.columns,
        source: json.panels.find((p) => p.id === sourceId)!,
      };
    });
    return { file, json, panels };
  });
}
