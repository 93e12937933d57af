import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first of `names` found executable on PATH or as an absolute path, else undefined. */
export function findBinary(...names: string[]): string | undefined {
  for (const name of names) {
    const candidates = name.startsWith('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
    for (const path of candidates) {
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here: try the next candidate
      }
    }
  }
  return undefined;
}

/**
 * Whether a test that needs `binary` should run. Missing on a laptop: skip, saying so. Missing
 * under CI=true: fail, because CI installs it.
 */
export function requireBinary(binary: string | undefined, what: string, install: string): boolean {
  if (binary !== undefined) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is required under CI=true but was not found; ${install}`);
  console.warn(`SKIPPED: ${what} not found; ${install}`);
  return false;
}
