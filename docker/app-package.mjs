// Writes the package.json of the image's app: every packed genai-cost package as a dependency on
// its tarball, so npm takes ours from the tarballs and the rest from the registry.
//   node app-package.mjs PACKS_DIR   (PACKS_DIR holds the tarballs and `npm pack --json` output as packs.json)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const packs = JSON.parse(readFileSync(join(dir, 'packs.json'), 'utf8'));
const dependencies = Object.fromEntries(packs.map((p) => [p.name, `file:${join(dir, p.filename)}`]));
writeFileSync('package.json', `${JSON.stringify({ name: 'genai-cost-compose', private: true, dependencies }, null, 2)}\n`);
