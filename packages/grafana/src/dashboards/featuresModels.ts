import { METRICS } from '@genai-cost/clickhouse';
import type { DashboardSpec } from '../dashboard.js';
import { metricQuery } from '../dashboard.js';
import { fieldTitle } from '../fields.js';
import { greenAbove, redAbove } from '../panels.js';

/** Which features and models cost what, and whether any call went unpriced. */
export const featuresModels: DashboardSpec = {
  slug: 'features-and-models',
  title: 'genai-cost: Features and models',
  description: 'Cost per feature and per call, each feature’s cost-to-revenue ratio, the model mix, prompt-cache use and unpriced calls.',
  panels: (p) => {
    const features = metricQuery(p, 'featureCost');
    const models = metricQuery(p, 'modelUsage');
    return [
      {
        type: 'table',
        title: 'Cost per feature',
        description: METRICS.featureCost.description,
        query: features,
        w: 16,
        h: 9,
        thresholds: redAbove(25),
      },
      {
        type: 'barchart',
        title: 'Cost-to-revenue ratio per feature',
        description: 'Feature LLM cost per user / the monthly revenue per user the plan attributes to it (alert above 25 %)',
        query: features,
        fields: ['feature', 'ctrPct'],
        skipNullsOf: 'ctrPct',
        w: 8,
        h: 9,
        thresholds: redAbove(25),
        options: { colorByField: fieldTitle('ctrPct') },
      },
      {
        type: 'piechart',
        title: 'Model mix by cost',
        description: METRICS.modelUsage.description,
        query: models,
        fields: ['model', 'costUsd'],
        w: 8,
        h: 9,
      },
      {
        type: 'table',
        title: 'Usage per model',
        description: METRICS.modelUsage.description,
        query: models,
        w: 16,
        h: 9,
      },
      {
        type: 'table',
        title: 'Cache-read share of input tokens',
        description: METRICS.cacheReadShare.description,
        query: metricQuery(p, 'cacheReadShare'),
        w: 12,
        h: 8,
        thresholds: greenAbove(10, 30),
      },
      {
        type: 'table',
        title: 'Unpriced model calls',
        description: `${METRICS.unpricedSpans.description}: add their prices to the catalog or the plan file`,
        query: metricQuery(p, 'unpricedSpans'),
        w: 12,
        h: 8,
        thresholds: redAbove(1),
      },
    ];
  },
};
