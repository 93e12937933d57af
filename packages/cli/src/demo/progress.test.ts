import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, write: (text: string) => void out.push(text), isTTY };
}

describe('Progress', () => {
  it('writes one plain line per 10 % when stderr is not a terminal', () => {
    const s = sink(false);
    const p = new Progress(s, 'spans', 1000);
    for (let i = 0; i < 100; i++) p.advance(10);
    p.finish();
    expect(s.out).toHaveLength(10);
    expect(s.out[0]).toBe('spans: 10% (100/1,000)\n');
    expect(s.out[9]).toBe('spans: 100% (1,000/1,000)\n');
  });

  it('prints every decile crossed by one big step', () => {
    const s = sink(false);
    new Progress(s, 'spans', 100).advance(35);
    expect(s.out).toEqual(['spans: 10% (35/100)\n', 'spans: 20% (35/100)\n', 'spans: 30% (35/100)\n']);
  });

  it('redraws a bar on a terminal, at most every 100 ms, and always at the end', () => {
    const s = sink(true);
    let now = 0;
    const p = new Progress(s, 'spans', 100, () => now);
    now = 200;
    p.advance(50);
    p.advance(10); // too soon to redraw
    p.advance(40);
    p.finish();
    expect(s.out).toHaveLength(3);
    expect(s.out[0]).toMatch(/^\rspans █{15}░{15} 50% 50\/100$/);
    expect(s.out[1]).toMatch(/^\rspans █{30} 100% 100\/100$/);
    expect(s.out[2]).toBe('\n');
  });
});
