import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.js';

const draws = (seed: number, n: number) => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => r.next());
};

describe('mulberry32', () => {
  it('repeats for a seed and differs between seeds', () => {
    expect(draws(42, 5)).toEqual(draws(42, 5));
    expect(draws(42, 5)).not.toEqual(draws(43, 5));
    for (const x of draws(1, 10_000)) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws integers in range, weighted choices and Poisson counts with the right means', () => {
    const r = mulberry32(7);
    const ints = Array.from({ length: 10_000 }, () => r.int(1, 6));
    expect(Math.min(...ints)).toBe(1);
    expect(Math.max(...ints)).toBe(6);
    const picks = Array.from({ length: 10_000 }, () => r.weighted([['a', 3], ['b', 1]] as const));
    expect(picks.filter((p) => p === 'a').length / picks.length).toBeCloseTo(0.75, 1);
    for (const lambda of [0.5, 4, 60]) {
      const mean = Array.from({ length: 5_000 }, () => r.poisson(lambda)).reduce((a, b) => a + b, 0) / 5_000;
      expect(mean / lambda).toBeCloseTo(1, 1);
    }
  });

  it('draws a heavy-tailed Pareto, capped', () => {
    const r = mulberry32(9);
    const xs = Array.from({ length: 20_000 }, () => r.pareto(1.4, 80)).sort((a, b) => b - a);
    expect(xs[xs.length - 1]).toBeGreaterThanOrEqual(1);
    expect(xs[0]).toBeLessThanOrEqual(80);
    const top = xs.slice(0, 2_000).reduce((a, b) => a + b, 0) / xs.reduce((a, b) => a + b, 0);
    expect(top).toBeGreaterThan(0.35);
  });
});
