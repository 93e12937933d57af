import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ClickHouseConfigError, describeIssue } from './errors.js';
import { IU, TABLES, qualified } from './tables.js';

/** A user as billing knows them: where present, their tier and price beat what spans and plans say. */
export interface ImportedUser {
  userId: string;
  /** The user's tier now; the report counts all their cost and revenue in it, whatever their spans say. */
  tier: string;
  /** `YYYY-MM-DD`; the month is the user's cohort. */
  signupDate: string;
  /** USD per month when it differs from the tier's; null means the tier's price. */
  monthlyPriceUsd: number | null;
}

/** A calendar date the `Date` column can hold (1970-01-01 to 2149-06-06), as `YYYY-MM-DD`. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((d) => {
    const date = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(d);
  }, 'expected a calendar date as YYYY-MM-DD')
  .refine((d) => d >= '1970-01-01' && d <= '2149-06-06', 'expected a date from 1970-01-01 to 2149-06-06');

/** The rules every imported user must satisfy; the CLI reports a broken one with its line. */
export const importedUserSchema = z.strictObject({
  userId: z.string().min(1, 'expected a non-empty user id'),
  tier: z.string().min(1, 'expected a non-empty tier name'),
  signupDate: isoDate,
  monthlyPriceUsd: z.number().finite('expected a number ≥ 0').nonnegative('expected a number ≥ 0').nullable(),
});

const usersSchema = z.array(importedUserSchema).superRefine((rows, ctx) => {
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (seen.has(r.userId)) ctx.addIssue({ code: 'custom', path: [i, 'userId'], message: `expected one row per user, "${r.userId}" repeats` });
    seen.add(r.userId);
  });
});

/**
 * Replaces the imported users with `users`, as a whole: a user missing from the new set is no
 * longer imported and falls back to the span rules. The rows go in under a new Version, then one
 * row with an empty UserId commits it, and only then are the other Versions' partitions dropped:
 * readers use the newest committed Version, so an import that fails half-way is never seen and a
 * reader sees the old set or the new one, never a mix. Safe for one writer at a time. Returns how
 * many users the import replaced.
 */
export async function replaceUsers(client: ClickHouseClient, database: string, users: readonly ImportedUser[]): Promise<{ previous: number }> {
  const parsed = usersSchema.safeParse(users);
  if (!parsed.success) throw new ClickHouseConfigError(`imported user ${describeIssue(parsed.error)}`);
  const table = qualified(database, TABLES.users);
  const latest = await client.query({
    query: `SELECT max(${IU.Version}) AS v, (SELECT count() FROM (${currentUsersSql(database)})) AS n FROM ${table}`,
    format: 'JSONEachRow',
  });
  const [current] = await latest.json<{ v: string | number; n: string | number }>();
  const version = Math.max(Date.now(), Number(current?.v ?? 0) + 1);
  const row = (u: ImportedUser) => ({
    [IU.Version]: version,
    [IU.UserId]: u.userId,
    [IU.Tier]: u.tier,
    [IU.SignupDate]: u.signupDate,
    [IU.MonthlyPriceUsd]: u.monthlyPriceUsd,
  });
  if (parsed.data.length > 0) await client.insert({ table, values: parsed.data.map(row), format: 'JSONEachRow' });
  await client.insert({ table, values: [row({ userId: '', tier: '', signupDate: '1970-01-01', monthlyPriceUsd: null })], format: 'JSONEachRow' });
  const superseded = await client.query({
    query: `SELECT DISTINCT toString(${IU.Version}) AS v FROM ${table} WHERE ${IU.Version} != {version:UInt64}`,
    query_params: { version },
    format: 'JSONEachRow',
  });
  for (const { v } of await superseded.json<{ v: string }>()) {
    // A partition ID is a literal, not a parameter; a UInt64 as text is digits only.
    if (/^\d+$/.test(v)) await client.command({ query: `ALTER TABLE ${table} DROP PARTITION ID '${v}'` });
  }
  return { previous: Number(current?.n ?? 0) };
}

/** SQL selecting the current imported users (columns as in the table), for queries that join them. */
export function currentUsersSql(database: string): string {
  const table = qualified(database, TABLES.users);
  return `SELECT ${IU.UserId}, ${IU.Tier}, ${IU.SignupDate}, ${IU.MonthlyPriceUsd} FROM ${table}
    WHERE ${IU.Version} = (SELECT max(${IU.Version}) FROM ${table} WHERE ${IU.UserId} = '') AND ${IU.UserId} != ''`;
}

/** The current imported users, ordered by user id. */
export async function readUsers(client: ClickHouseClient, database: string): Promise<ImportedUser[]> {
  const result = await client.query({
    query: `SELECT ${IU.UserId} AS userId, ${IU.Tier} AS tier, toString(${IU.SignupDate}) AS signupDate, ${IU.MonthlyPriceUsd} AS monthlyPriceUsd
      FROM (${currentUsersSql(database)}) ORDER BY ${IU.UserId}`,
    format: 'JSONEachRow',
  });
  return result.json<ImportedUser>();
}
