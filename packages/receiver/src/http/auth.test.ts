import { describe, expect, it } from 'vitest';
import { BearerAuth } from './auth.js';

describe('BearerAuth', () => {
  const auth = new BearerAuth('correct-horse-battery');
  it.each([
    ['Bearer correct-horse-battery', true],
    ['bearer   correct-horse-battery ', true],
    ['Bearer correct-horse-batterY', false],
    ['Bearer correct-horse', false],
    ['Basic Y29ycmVjdA==', false],
    ['correct-horse-battery', false],
    [undefined, false],
  ])('%s → %s', (header, ok) => {
    expect(auth.check(header)).toBe(ok);
  });
});
