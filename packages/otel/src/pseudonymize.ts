import { createHmac } from 'node:crypto';

/** Bound on memoised ids: an HMAC costs microseconds, a map hit nanoseconds. */
const MEMO_LIMIT = 50_000;

/** Maps raw user ids to stable pseudonyms, hex HMAC-SHA256 under a secret key. */
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
