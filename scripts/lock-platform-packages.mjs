#!/usr/bin/env node
// chdb lists its native library for four platforms as optional dependencies. Where the registry
// serves only some of them, `npm install` leaves the others out of package-lock.json and `npm ci`
// then refuses the lock as out of sync. This adds the missing ones as platform-restricted optional
// entries, which `npm ci` accepts and skips on other platforms. Run it after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const chdb = packages['node_modules/chdb'];
for (const [name, version] of Object.entries(chdb?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (packages[key] !== undefined) continue;
  const [os, cpu, libc] = name.split('/').pop().replace(/^lib-/, '').split('-');
  packages[key] = { version, cpu: [cpu], license: 'Apache-2.0', optional: true, os: [os], ...(libc === 'gnu' && { libc: ['glibc'] }) };
  console.log(`added ${key}`);
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
