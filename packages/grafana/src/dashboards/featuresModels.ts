import { METRICS } from '@genai-cost/clickhouse';
import type { DashboardSpec } from '../dashboard.js';
import { metricQuery } from '../dashboard.js';
import { fieldTitle } from '../fields.js';
import { greenAbove, redAbove } from '../panels.js';
import { TAG_VARIABLES } from '../variables.js';

/** Which features and models cost what, and whether any call went unpriced. */
export const featuresModels: DashboardSpec = {
  slug: 'features-and-models',
  title: 'genai-cost: Features and models',
  description: 'Cost per feature and per call, each feature’s cost-to-revenue ratio, the model mix, prompt-cache use and unpriced calls.',
  panels: (p) => {
    const features = metricQuery(p, 'featureCost');
    const models = metricQuery(p, 'modelUsage');
    const tags = metricQuery(p, 'tagCost');
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
      {
        type: 'table',
        title: 'Priced calls whose instrumentation dropped a usage detail',
        description: `${METRICS.incompleteUsage.description}: cache_read (cached input priced as uncached) or cache_write_ttl (1-hour cache writes priced at the 5-minute rate); see the README's supported instrumentations`,
        query: metricQuery(p, 'incompleteUsage'),
        w: 24,
        h: 7,
        thresholds: redAbove(1),
      },
      {
        type: 'table',
        title: `Cost per value of the tag \${${TAG_VARIABLES.key}}`,
        description: `${METRICS.tagCost.description}. Pick the tag with the Tag variable`,
        query: tags,
        w: 16,
        h: 9,
      },
      {
        type: 'piechart',
        title: `LLM cost by \${${TAG_VARIABLES.key}}`,
        description: METRICS.tagCost.description,
        query: tags,
        fields: ['tagValue', 'costUsd'],
        w: 8,
        h: 9,
      },
    ];
  },
};
