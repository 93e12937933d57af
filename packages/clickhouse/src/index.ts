export { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
export { genaiCost } from './genaiCost.js';
export type { BudgetGuardLike, GenAICost, GenAICostOptions } from './genaiCost.js';
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
export { createClickHouseClient, openConnection, resolveConnectionOptions, DEFAULT_CHDB_DIR } from './connection.js';
export type { ClickHouseConnection, ClickHouseConnectionOptions, ResolvedConnection } from './connection.js';
export { ClickHouseConfigError, ClickHouseExportError, FAILURE_KINDS, classifyInsertError } from './errors.js';
export type { ExportFailureKind } from './errors.js';
export { migrate, migrationSql, resolveMigrateOptions, MIGRATIONS } from './migrations.js';
export type { MigrateOptions, MigrateResult } from './migrations.js';
export type { SchemaOptions } from './schema.js';
export { ClickHouseBudgetEventSink, ClickHousePlanSource, ClickHouseSpendSource } from './budget.js';
export type { BudgetClickHouseOptions, BudgetEventRecord, BudgetEventSinkOptions, BudgetPlanFromTable, PeriodSpendFromTable } from './budget.js';
export { planRow, replacePlans, readPlans } from './plans.js';
export type { PlanRow } from './plans.js';
export { METRICS, POWER_USER_MULTIPLE, BUDGET_HARD_CAP_PCT, BUDGET_WARNING_PCT, SESSION_OUTLIER_MULTIPLE, SPIKE_BASELINE_DAYS } from './metrics.js';
export { COST_CLIMB_WEEKS, COST_PER_USER_CLIMB_PCT, DEFAULT_TARGET_AI_COGS_PCT, SESSION_CAP_MULTIPLE } from './metrics.js';
export { importedUserSchema, readUsers, replaceUsers } from './importedUsers.js';
export type { ImportedUser } from './importedUsers.js';
export type { MetricDefinition, MetricName } from './metrics.js';
export { dimensionValuesSql, tagFilterConditions, tagKeysSql, tagValuesSql } from './queries/dimensions.js';
export type { FilterColumn } from './queries/dimensions.js';
export { grafanaMetricContext } from './queries/context.js';
export type { MetricSqlContext } from './queries/context.js';
export { bindWindow } from './queries/window.js';
export type { BoundContext, ReportWindow } from './queries/window.js';
export {
  costSkew,
  incompleteUsage,
  reportByAccount,
  reportByFeature,
  reportByModel,
  reportBySession,
  reportByTier,
  reportByUser,
  runMetric,
  unpricedSpans,
} from './report.js';
export type { AccountRow, CostSkew, FeatureRow, IncompleteUsageRow, ModelRow, SessionRow, TierRow, UnpricedRow, UserReportWindow, UserRow } from './report.js';
export { reportByCohort, reportByWeek, suggestCaps } from './report.js';
export type { CapSuggestionRow, CohortRow, WeekRow } from './report.js';
export { reportByTag } from './report.js';
export type { TagReportWindow, TagRow } from './report.js';
export type { TagFilter } from './queries/context.js';
export { reprice, dimensionsOfPriceId, toPriceRequest } from './reprice.js';
export type { RepriceOptions, RepriceResult, StoredSpan, TierChange } from './reprice.js';
export { DEFAULT_DATABASE, TABLES, TG } from './tables.js';
export type { SpanRow } from './tables.js';
export { SpanRowMapper, isGenAISpan } from './spanRow.js';
export type { SpanRowMapperOptions } from './spanRow.js';
export { spanInsertSql } from './spanInsert.js';
export { qualified } from './tables.js';
