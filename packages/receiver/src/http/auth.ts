import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` in constant time: both sides are hashed first, so neither
 * the comparison nor an early length mismatch tells an attacker how much of a guess was right.
 */
export class BearerAuth {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  /** True when the header carries the token. */
  check(header: string | undefined): boolean {
    const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
    const given = digest(match?.[1] ?? '');
    return timingSafeEqual(given, this.expected) && match !== null;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
