/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nanoseconds per call of `fn`, run `n` times, measured once. */
export function nsPerCall(n: number, fn: (i: number) => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

/**
 * Runs the variants interleaved, round after round, so drift in a shared, noisy machine hits
 * them alike; returns each variant's median ns per call.
 */
export function interleaved(rounds: number, n: number, variants: Record<string, (i: number) => void>): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(variants)) samples[name] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(variants)) samples[name]!.push(nsPerCall(n, fn));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}
