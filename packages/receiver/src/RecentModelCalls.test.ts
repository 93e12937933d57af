import { describe, expect, it } from 'vitest';
import { RecentModelCalls } from './RecentModelCalls.js';

describe('RecentModelCalls', () => {
  it('says a span is carried elsewhere when its parent or one of its children is remembered', () => {
    const recent = new RecentModelCalls(10, 60_000);
    recent.remember('child', 'parent');
    expect(recent.carriedElsewhere('parent', 'grandparent')).toBe(true);
    expect(recent.carriedElsewhere('sibling', 'parent')).toBe(false);
    recent.remember('outer', undefined);
    expect(recent.carriedElsewhere('inner', 'outer')).toBe(true);
    expect(recent.has('child')).toBe(true);
  });

  it('forgets what a refused request added, keeping the child count of shared parents right', () => {
    const recent = new RecentModelCalls(10, 60_000);
    recent.remember('a', 'p');
    recent.remember('b', 'p');
    recent.forget(['a']);
    expect(recent.carriedElsewhere('p', undefined)).toBe(true);
    recent.forget(['b']);
    expect(recent.carriedElsewhere('p', undefined)).toBe(false);
    expect(recent.size).toBe(0);
  });

  it('keeps at most maxSpans, the oldest going first, and forgets spans older than maxAgeMs', () => {
    let now = 0;
    const recent = new RecentModelCalls(2, 1_000, () => now);
    recent.remember('a', 'pa');
    recent.remember('b', 'pb');
    recent.remember('c', 'pc');
    expect([recent.has('a'), recent.has('b'), recent.has('c')]).toEqual([false, true, true]);
    expect(recent.carriedElsewhere('pa', undefined)).toBe(false);
    now = 1_001;
    expect(recent.carriedElsewhere('pb', undefined)).toBe(false);
    expect([recent.size, recent.evicted]).toEqual([0, 3]);
  });

  it('remembers a span once, and nothing with maxSpans 0', () => {
    const recent = new RecentModelCalls(10, 60_000);
    expect([recent.remember('a', 'p'), recent.remember('a', 'p')]).toEqual([true, false]);
    recent.forget(['a']);
    expect(recent.carriedElsewhere('p', undefined)).toBe(false);
    const off = new RecentModelCalls(0, 60_000);
    expect(off.remember('a', 'p')).toBe(false);
    expect(off.size).toBe(0);
  });
});
