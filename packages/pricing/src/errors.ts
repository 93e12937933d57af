import type { z } from 'zod';

/** What went wrong, for callers that branch on it. */
export type PricingErrorCode = 'INVALID_CATALOG' | 'INVALID_PRICE_ENTRY' | 'PRICE_FILE_UNREADABLE';

/** The one error type of this package; `message` names the entry and field at fault. */
export class PricingError extends Error {
  override readonly name = 'PricingError';
  constructor(
    readonly code: PricingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(entry)' : out;
}

/** One line per issue: `field: message`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`).join('; ');
}
