import type { DashboardSpec } from '../dashboard.js';
import { featuresModels } from './featuresModels.js';
import { sessionsBudgets } from './sessionsBudgets.js';
import { unitEconomics } from './unitEconomics.js';
import { users } from './users.js';

/** The four dashboards, in the order of their links. */
export const DASHBOARDS: readonly DashboardSpec[] = [unitEconomics, users, featuresModels, sessionsBudgets];
