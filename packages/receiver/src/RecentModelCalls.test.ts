import { describe, expect, it } from 'vitest';
import { RecentModelCalls } from './RecentModelCalls.js';

describe('RecentModelCalls', () => {
  it('says a span is carried elsewhere when its parent or one of its children is remembered', () => {
    const recent = new RecentModelCalls(10, 60_000);
    recent.remember('child', 'parent', 0);
    expect(recent.carriedElsewhere('parent', 'grandparent')).toBe(true);
    expect(recent.carriedElsewhere('sibling', 'parent')).toBe(false);
    recent.remember('outer', undefined, 0);
    expect(recent.carriedElsewhere('inner', 'outer')).toBe(true);
    expect(recent.has('child')).toBe(true);
  });

  it('forgets what a refused request added, keeping the child count of shared parents right', () => {
    const recent = new RecentModelCalls(10, 60_000);
    recent.remember('a', 'p', 0);
    recent.remember('b', 'p', 0);
    recent.forget(['a']);
    expect(recent.carriedElsewhere('p', undefined)).toBe(true);
    recent.forget(['b']);
    expect(recent.carriedElsewhere('p', undefined)).toBe(false);
    expect(recent.size).toBe(0);
  });

  it('keeps at most maxSpans, the oldest going first, and forgets spans older than maxAgeMs', () => {
    const recent = new RecentModelCalls(2, 1_000);
    recent.remember('a', 'pa', 0);
    recent.remember('b', 'pb', 0);
    recent.remember('c', 'pc', 500);
    expect([recent.has('a'), recent.has('b'), recent.has('c')]).toEqual([false, true, true]);
    expect(recent.carriedElsewhere('pa', undefined)).toBe(false);
    recent.prune(1_001);
    expect([recent.carriedElsewhere('pb', undefined), recent.carriedElsewhere('pc', undefined)]).toEqual([false, true]);
    recent.prune(1_501);
    expect([recent.size, recent.evicted]).toEqual([0, 3]);
  });

  it('remembers a span once, and nothing with maxSpans 0', () => {
    const recent = new RecentModelCalls(10, 60_000);
    expect([recent.remember('a', 'p', 0), recent.remember('a', 'p', 0)]).toEqual([true, false]);
    recent.forget(['a']);
    expect(recent.carriedElsewhere('p', undefined)).toBe(false);
    const off = new RecentModelCalls(0, 60_000);
    expect(off.remember('a', 'p', 0)).toBe(false);
    expect(off.size).toBe(0);
  });
});
