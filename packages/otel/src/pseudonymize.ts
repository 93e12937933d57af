import { createHmac } from 'node:crypto';

/** Bound on memoised ids: an HMAC costs microseconds, a map hit nanoseconds. */
const MEMO_LIMIT = 50_000;

/** Shortest accepted `userIdHmacKey`, bytes. */
export const MIN_USER_ID_HMAC_KEY_BYTES = 16;

/** Whether `key` can be a `userIdHmacKey`: a string or bytes of at least 16 bytes. */
export function isUserIdHmacKey(key: unknown): key is string | Uint8Array {
  if (typeof key === 'string') return Buffer.byteLength(key) >= MIN_USER_ID_HMAC_KEY_BYTES;
  return key instanceof Uint8Array && key.byteLength >= MIN_USER_ID_HMAC_KEY_BYTES;
}

/**
 * Maps raw user ids to stable pseudonyms, hex HMAC-SHA256 under a secret key: the id the span
 * processor writes, ClickHouse stores, and `BudgetGuard` keys spend by, so the three agree.
 */
export class Pseudonymizer {
  private readonly memo = new Map<string, string>();

  constructor(private readonly key: string | Uint8Array) {}

  /** The pseudonym of `id`: the same id and key always give the same 64 hex digits. */
  pseudonym(id: string): string {
    let out = this.memo.get(id);
    if (out === undefined) {
      out = createHmac('sha256', this.key).update(id).digest('hex');
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(id, out);
    }
    return out;
  }
}
