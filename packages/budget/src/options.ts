import { z } from 'zod';
import { MIN_USER_ID_HMAC_KEY_BYTES, Pseudonymizer, isUserIdHmacKey } from '@genai-cost/otel';
import { PeriodCalendar } from './period.js';
import { BudgetConfigError, parseBudgetPlan } from './plan.js';
import type { BudgetPlan } from './plan.js';
import type { BudgetGuardOptions, LoopGuardOptions } from './types.js';

/** `BudgetGuard` options with every default applied. */
export interface ResolvedGuardOptions {
  plan: BudgetPlan;
  calendar: PeriodCalendar;
  /** Default warning share, %. */
  warnAtPct: number;
  repeats: number;
  withinSteps: number;
  loopAction: NonNullable<LoopGuardOptions['action']>;
  maxUsers: number;
  maxTenants: number;
  maxSessions: number;
  now: () => number;
  /** With `userIdHmacKey`: the processor's pseudonyms. */
  pseudonymizer: Pseudonymizer | undefined;
}

const count = (what: string) => z.number({ error: `expected a whole number of ${what}` }).int({ error: `expected a whole number of ${what}` });

const schema = z.object({
  warningThreshold: z.number({ error: 'expected a number in (0, 1]' }).gt(0, 'expected a number in (0, 1]').lte(1, 'expected a number in (0, 1]').optional(),
  period: z
    .object({
      resetDay: count('days').min(1, 'expected a whole day of the month from 1 to 28').max(28, 'expected a whole day of the month from 1 to 28').optional(),
      timeZone: z.string().optional(),
    })
    .optional(),
  loopGuard: z
    .strictObject({
      repeats: count('calls').min(2, 'expected a whole number of calls ≥ 2').optional(),
      withinSteps: count('steps').min(2, 'expected a whole number of steps ≥ 2').max(1000, 'expected at most 1000 steps').optional(),
      action: z.enum(['block', 'warn', 'dry-run'], { error: 'expected one of block, warn, dry-run' }).optional(),
    })
    .refine((l) => (l.repeats ?? 3) <= (l.withinSteps ?? 6), { path: ['withinSteps'], message: 'expected at least as many steps as repeats' })
    .optional(),
  maxUsers: count('users').positive().optional(),
  maxTenants: count('tenants').positive().optional(),
  maxSessions: count('sessions').positive().optional(),
  userIdHmacKey: z.custom<string | Uint8Array>(isUserIdHmacKey, `expected a string or Uint8Array of at least ${MIN_USER_ID_HMAC_KEY_BYTES} bytes`).optional(),
});

/** Validates the options (errors name the option and the expected form) and applies defaults in one place. */
export function resolveGuardOptions(options: BudgetGuardOptions): ResolvedGuardOptions {
  if (options.plan === undefined && options.planSource === undefined) {
    throw new BudgetConfigError('BudgetGuard: expected a "plan" or a "planSource"');
  }
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BudgetConfigError(`BudgetGuard option "${issue.path.join('.')}": ${issue.message}`);
  }
  let calendar: PeriodCalendar;
  try {
    calendar = new PeriodCalendar(options.period);
  } catch (cause) {
    throw new BudgetConfigError(`BudgetGuard option "period.timeZone": expected an IANA time zone (${(cause as Error).message})`);
  }
  const loop = options.loopGuard ?? {};
  return {
    plan: options.plan === undefined ? { tiers: {} } : parseBudgetPlan(options.plan, 'BudgetGuard option "plan"'),
    calendar,
    warnAtPct: (options.warningThreshold ?? 0.8) * 100,
    repeats: loop.repeats ?? 3,
    withinSteps: loop.withinSteps ?? 6,
    loopAction: loop.action ?? 'block',
    maxUsers: options.maxUsers ?? 1_000_000,
    maxTenants: options.maxTenants ?? 100_000,
    maxSessions: options.maxSessions ?? 100_000,
    now: options.now ?? Date.now,
    pseudonymizer: options.userIdHmacKey === undefined ? undefined : new Pseudonymizer(options.userIdHmacKey),
  };
}
