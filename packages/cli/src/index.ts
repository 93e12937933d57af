export { main } from './main.js';
export { loadConfig, parseConfig, CONFIG_FILE, BUDGET_ACTIONS } from './config.js';
export type { ClickHouseSettings, FeaturePlan, GenAICostConfig, LoadConfigOptions, TierPlan, UserPlan } from './config.js';
export { DEFAULT_PLAN } from './defaultPlan.js';
export { planRows } from './planRows.js';
export type { CliContext, TextSink } from './context.js';
