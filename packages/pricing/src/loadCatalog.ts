import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { z } from 'zod';
import { PriceCatalog } from './catalog.js';
import { PricingError, describeIssues } from './errors.js';

/** Options of {@link loadCatalog}. */
export interface LoadCatalogOptions {
  /** An http(s) URL or a file path of a catalog in the format of the bundled `data/prices.json`. */
  source: string;
  /** Directory a fetched catalog is cached in, so a restart without network keeps it. Default: none. */
  cacheDir?: string;
  /** A cached copy younger than this is used without fetching. Default: 24 hours. */
  maxAgeMs?: number;
  /** Bound on the fetch. Default: 10 seconds. */
  timeoutMs?: number;
}

/** A loaded catalog and where it came from. */
export interface LoadedCatalog {
  catalog: PriceCatalog;
  /** `url` (fetched now), `cache` (a cached copy of the URL), `file`, or `bundled` (the fallback). */
  from: 'url' | 'cache' | 'file' | 'bundled';
  /** Why the source was not used, when it was not. */
  warning?: string;
}

const optionsSchema = z.strictObject({
  source: z.string().min(1, 'expected a URL or a file path'),
  cacheDir: z.string().min(1, 'expected a directory path').optional(),
  maxAgeMs: z.number().int().nonnegative().optional(),
  timeoutMs: z.number().int().positive().optional(),
});

const DAY_MS = 86_400_000;

function cachePath(dir: string, url: string): string {
  return join(dir, `prices-${createHash('sha256').update(url).digest('hex').slice(0, 16)}.json`);
}

function readCatalogFile(path: string): PriceCatalog {
  return PriceCatalog.fromData(JSON.parse(readFileSync(path, 'utf8')), path);
}

async function fetchText(url: string, timeoutMs: number): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  return res.text();
}

function fallback(source: string, why: string, cached?: { path: string; catalog: PriceCatalog }): LoadedCatalog {
  if (cached !== undefined) {
    const warning = `genai-cost: cannot load the price catalog from ${source} (${why}); using the copy cached at ${cached.path}`;
    diag.warn(warning);
    return { catalog: cached.catalog, from: 'cache', warning };
  }
  const warning = `genai-cost: cannot load the price catalog from ${source} (${why}); using the bundled catalog`;
  diag.warn(warning);
  return { catalog: PriceCatalog.builtin(), from: 'bundled', warning };
}

/**
 * Loads a newer price catalog without a release: from a URL (fetched with a timeout, validated
 * with the catalog's zod schema, cached in `cacheDir`) or a file. When the source cannot be
 * read or is invalid, it falls back to the cached copy, else to the bundled catalog, and says so
 * with a `diag.warn` and in `warning`. Throws only for invalid options.
 */
export async function loadCatalog(options: LoadCatalogOptions): Promise<LoadedCatalog> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new PricingError('INVALID_CATALOG', `loadCatalog option ${describeIssues(parsed.error)}`);
  const { source, cacheDir } = parsed.data;
  const maxAgeMs = parsed.data.maxAgeMs ?? DAY_MS;
  const timeoutMs = parsed.data.timeoutMs ?? 10_000;

  if (!/^https?:\/\//i.test(source)) {
    try {
      return { catalog: readCatalogFile(source), from: 'file' };
    } catch (err) {
      return fallback(source, (err as Error).message);
    }
  }

  let cached: { path: string; catalog: PriceCatalog; ageMs: number } | undefined;
  const path = cacheDir === undefined ? undefined : cachePath(cacheDir, source);
  if (path !== undefined) {
    try {
      cached = { path, catalog: readCatalogFile(path), ageMs: Date.now() - statSync(path).mtimeMs };
    } catch {
      // No usable cached copy: fetch.
    }
  }
  if (cached !== undefined && cached.ageMs < maxAgeMs) return { catalog: cached.catalog, from: 'cache' };

  let text: string;
  let catalog: PriceCatalog;
  try {
    text = await fetchText(source, timeoutMs);
    catalog = PriceCatalog.fromData(JSON.parse(text), source);
  } catch (err) {
    return fallback(source, (err as Error).message, cached);
  }
  if (path !== undefined) {
    try {
      mkdirSync(cacheDir!, { recursive: true });
      writeFileSync(`${path}.tmp`, text);
      renameSync(`${path}.tmp`, path);
    } catch (err) {
      diag.warn(`genai-cost: cannot cache the price catalog in ${cacheDir} (${(err as Error).message})`);
    }
  }
  return { catalog, from: 'url' };
}
