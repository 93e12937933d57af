import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const SECTION = '## Add it to an existing OpenTelemetry setup';

/** The code blocks of the README's "Add it to an existing OpenTelemetry setup" section, verbatim. */
export interface ReadmeSetup {
  /** The `npm install` lines. */
  install: string;
  /** `telemetry.mjs`: the setup of an ES module app. */
  esm: string;
  /** `telemetry.cjs`: the setup of a CommonJS app. */
  cjs: string;
  /** The app's attribution lines (Express), for either module system. */
  app: string;
  /** The section's prose and code, for what it must say. */
  text: string;
}

export function readmeSetup(): ReadmeSetup {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`README.md has no "${SECTION}" section`);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const text = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
  const find = (lang: string, firstLine: string) => {
    const found = blocks.find((b) => b.lang === lang && b.code.startsWith(firstLine));
    if (found === undefined) throw new Error(`the README's setup section has no ${lang} block starting with "${firstLine}"`);
    return found.code;
  };
  return {
    install: find('sh', 'npm install'),
    esm: find('js', '// telemetry.mjs'),
    cjs: find('js', '// telemetry.cjs'),
    app: find('js', '// Per request'),
    text,
  };
}
