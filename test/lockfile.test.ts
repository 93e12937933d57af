import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { optionalDependencies?: Record<string, string> }>;
};

describe('package-lock.json', () => {
  it("lists every platform library of chdb, so npm ci accepts the lock on a fresh clone", () => {
    const wanted = Object.keys(lock.packages['node_modules/chdb']?.optionalDependencies ?? {});
    expect(wanted.length).toBeGreaterThan(0);
    const missing = wanted.filter((name) => lock.packages[`node_modules/${name}`] === undefined);
    expect(missing, 'run `node scripts/lock-platform-packages.mjs` after npm install').toEqual([]);
  });
});
