export { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
export { SpanQueue, rowsToken } from './SpanQueue.js';
export type {
  ClickHouseSpanExporterOptions,
  DropReason,
  EnqueueResult,
  ExporterStats,
  QueueReadiness,
  RefusalReason,
  SpanInsertClient,
  SpanQueueOptions,
  SpanQueueStats,
} from './types.js';
export { createClickHouseClient, resolveConnectionOptions, DEFAULT_CHDB_DIR } from './connection.js';
export type { ClickHouseConnection, ClickHouseConnectionOptions, ResolvedConnection } from './connection.js';
export { ClickHouseConfigError, ClickHouseExportError, FAILURE_KINDS, classifyInsertError } from './errors.js';
export type { ExportFailureKind } from './errors.js';
export { migrate, migrationSql, resolveMigrateOptions, MIGRATIONS } from './migrations.js';
export type { MigrateOptions, MigrateResult } from './migrations.js';
export type { SchemaOptions } from './schema.js';
export { ClickHouseBudgetEventSink, ClickHousePlanSource, ClickHouseSpendSource } from './budget.js';
export type { BudgetClickHouseOptions, BudgetEventRecord, BudgetEventSinkOptions, BudgetPlanFromTable } from './budget.js';
export { planRow, replacePlans, readPlans } from './plans.js';
export type { PlanRow } from './plans.js';
export { METRICS, POWER_USER_MULTIPLE, BUDGET_WARNING_PCT, SESSION_OUTLIER_MULTIPLE, SPIKE_BASELINE_DAYS } from './metrics.js';
export type { MetricDefinition, MetricName } from './metrics.js';
export { dimensionValuesSql } from './queries/dimensions.js';
export type { FilterColumn } from './queries/dimensions.js';
export { grafanaMetricContext } from './queries/context.js';
export type { MetricSqlContext } from './queries/context.js';
export { bindWindow } from './queries/window.js';
export type { BoundContext, ReportWindow } from './queries/window.js';
export {
  costSkew,
  reportByAccount,
  reportByFeature,
  reportByModel,
  reportBySession,
  reportByTier,
  reportByUser,
  runMetric,
  unpricedSpans,
} from './report.js';
export type { AccountRow, CostSkew, FeatureRow, ModelRow, SessionRow, TierRow, UnpricedRow, UserReportWindow, UserRow } from './report.js';
export { DEFAULT_DATABASE, TABLES } from './tables.js';
export type { SpanRow } from './tables.js';
