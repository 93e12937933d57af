/**
 * Reads the vendored reference catalogs (`data/reference/*.json`: trimmed copies of genai-prices
 * v2, LiteLLM's price map and Langfuse's default prices) into one normalised shape: entries keyed
 * by our provider id and model id, with price periods in the catalog's own form.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogPrice } from '../../src/schema.js';

/** The reference catalogs, in the order the build prefers them when they disagree. */
export const REFERENCES = ['genai-prices', 'litellm', 'langfuse'] as const;
export type ReferenceName = (typeof REFERENCES)[number];

/** A period as read from a reference: catalog rates without source and check date. */
export type RefPeriod = Omit<CatalogPrice, 'source' | 'checked' | 'basis' | 'note'>;

/** One model of one reference, under our provider id. */
export interface RefEntry {
  ref: ReferenceName;
  provider: string;
  /** Lowercased model id as the provider's API takes it. */
  model: string;
  aliases: string[];
  kind: 'chat' | 'embedding';
  periods: RefPeriod[];
  /** The provider page the reference cites, when it does. */
  source?: string;
  /** Bedrock / Azure variant the raw key named (`global`, `geo`, `us-gov`, `in-region`, `data-zone`). */
  variant?: string;
}

/** Snapshot dates of the vendored references (see data/reference/NOTICE.md). */
export const REFERENCE_DATES: Record<ReferenceName, string> = {
  'genai-prices': '2026-08-21',
  litellm: '2026-08-01',
  langfuse: '2026-08-22',
};

/** Which of our providers each reference's provider names map to. */
export interface ProviderMap {
  'genai-prices': Record<string, string>;
  litellm: Record<string, string>;
}

const M = 1e6;
/** Per-token (LiteLLM, Langfuse) to per-million, without float noise. */
export function perMillion(v: number): number {
  return Number((v * M).toPrecision(12));
}

type Json = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

// ---------------------------------------------------------------- genai-prices

type GpValue = number | { base: number; tiers: { start: number; price: number }[] };
interface GpModel {
  id: string;
  match: unknown;
  prices: Record<string, GpValue> | { constraint?: Json; prices: Record<string, GpValue> }[];
}
interface GpProvider {
  id: string;
  pricing_urls?: string[];
  models: GpModel[];
}

function gpNames(match: unknown, out: string[]): void {
  if (match === null || typeof match !== 'object') return;
  const m = match as Json;
  for (const k of ['equals', 'starts_with']) if (typeof m[k] === 'string') out.push((m[k] as string).toLowerCase());
  for (const k of ['or', 'and']) if (Array.isArray(m[k])) for (const c of m[k] as unknown[]) gpNames(c, out);
}

const GP_FIELDS: Record<string, (p: RefPeriod, v: number) => void> = {
  input_mtok: (p, v) => (p.input = v),
  output_mtok: (p, v) => (p.output = v),
  cache_read_mtok: (p, v) => (p.cacheRead = v),
  cache_write_mtok: (p, v) => (p.cacheWrite = v),
  cache_write_1h_mtok: (p, v) => (p.cacheWrite1h = v),
  input_audio_mtok: (p, v) => ((p.audio ??= {}).input = v),
  output_audio_mtok: (p, v) => ((p.audio ??= {}).output = v),
  cache_audio_read_mtok: (p, v) => ((p.audio ??= {}).cacheRead = v),
  input_image_mtok: (p, v) => ((p.image ??= {}).input = v),
  output_image_mtok: (p, v) => ((p.image ??= {}).output = v),
  cache_image_read_mtok: (p, v) => ((p.image ??= {}).cacheRead = v),
  input_video_mtok: (p, v) => ((p.video ??= {}).input = v),
  output_video_mtok: (p, v) => ((p.video ??= {}).output = v),
  web_searches_kcount: (p, v) => ((p.requests ??= {}).web_search = v),
  requests_kcount: (p, v) => ((p.requests ??= {}).request = v),
};
type TieredField = 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'cacheWrite1h';
const GP_TIERED: Record<string, TieredField> = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cacheRead',
  cache_write_mtok: 'cacheWrite',
  cache_write_1h_mtok: 'cacheWrite1h',
};

function gpPeriod(prices: Record<string, GpValue>, effectiveFrom: string): RefPeriod {
  const p: RefPeriod = { effectiveFrom, input: 0, output: 0 };
  const tiers = new Map<number, Partial<Record<TieredField, number>>>();
  for (const [key, value] of Object.entries(prices)) {
    if (typeof value === 'number') {
      GP_FIELDS[key]?.(p, value);
      continue;
    }
    GP_FIELDS[key]?.(p, value.base);
    const field = GP_TIERED[key];
    if (field === undefined) continue;
    for (const t of value.tiers) (tiers.get(t.start) ?? tiers.set(t.start, {}).get(t.start)!)[field] = t.price;
  }
  if (tiers.size > 0) {
    p.tiers = [...tiers.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([start, r]) => ({ aboveInputTokens: start, input: r.input ?? p.input, output: r.output ?? p.output, ...opt('cacheRead', r.cacheRead), ...opt('cacheWrite', r.cacheWrite), ...opt('cacheWrite1h', r.cacheWrite1h) }));
  }
  return p;
}

function opt<K extends string>(key: K, v: number | undefined): Partial<Record<K, number>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, number>);
}

function gpPeriods(model: GpModel): RefPeriod[] {
  if (!Array.isArray(model.prices)) return [gpPeriod(model.prices, '1970-01-01')];
  const out: RefPeriod[] = [];
  let base: RefPeriod | undefined;
  for (const entry of model.prices) {
    const c = entry.constraint ?? {};
    if (typeof c.start_time === 'string' && typeof c.end_time === 'string' && base !== undefined) {
      // A time-of-day constraint: these rates apply inside the window, the unconstrained ones outside.
      const w = gpPeriod(entry.prices, base.effectiveFrom);
      (base.timeWindows ??= []).push({ name: 'window', start: c.start_time.slice(0, 5), end: c.end_time.slice(0, 5), multiplier: w.input / (base.input || 1) });
      continue;
    }
    const p = gpPeriod(entry.prices, typeof c.start_date === 'string' ? c.start_date : '1970-01-01');
    if (base === undefined) base = p;
    out.push(p);
  }
  return out;
}

function readGenaiPrices(dir: string, map: Record<string, string>): RefEntry[] {
  const providers = JSON.parse(readFileSync(join(dir, 'genai-prices.json'), 'utf8')) as GpProvider[];
  const out: RefEntry[] = [];
  for (const prov of providers) {
    const ours = map[prov.id];
    if (ours === undefined) continue;
    for (const m of prov.models) {
      const id = m.id.toLowerCase();
      // Google's list also prices Anthropic models on Vertex AI.
      const provider = ours === 'google' && id.startsWith('claude') ? 'vertex' : ours;
      const aliases: string[] = [];
      gpNames(m.match, aliases);
      const periods = gpPeriods(m);
      if (periods.some((p) => p.timeWindows?.some((w) => !Number.isFinite(w.multiplier) || w.multiplier <= 0))) continue;
      // genai-prices prices Azure at its Global deployment rates.
      const variant = provider === 'azure' ? 'global' : undefined;
      out.push({ ref: 'genai-prices', provider, model: id, aliases: aliases.filter((a) => a !== id), kind: periods[0]!.output === 0 ? 'embedding' : 'chat', periods, source: prov.pricing_urls?.[0], ...(variant === undefined ? {} : { variant }) });
    }
  }
  return out;
}

// ---------------------------------------------------------------- LiteLLM

const LL_TIERS = [128_000, 200_000, 256_000, 272_000, 512_000];

function llRates(v: Json, suffix: string): { input?: number; output?: number; cacheRead?: number; cacheWrite?: number; cacheWrite1h?: number } {
  const f = (k: string) => {
    const x = num(v[`${k}${suffix}`]);
    return x === undefined ? undefined : perMillion(x);
  };
  return {
    input: f('input_cost_per_token'),
    output: f('output_cost_per_token'),
    cacheRead: f('cache_read_input_token_cost'),
    cacheWrite: f('cache_creation_input_token_cost'),
    cacheWrite1h: suffix === '' ? f('cache_creation_input_token_cost_above_1hr') : undefined,
  };
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function llPeriod(v: Json): RefPeriod | undefined {
  const base = llRates(v, '');
  if (base.input === undefined && base.output === undefined) return undefined;
  const p: RefPeriod = { effectiveFrom: '1970-01-01', ...defined(base), input: base.input ?? 0, output: base.output ?? 0 };
  const tiers = LL_TIERS.map((t) => ({ t, r: llRates(v, `_above_${t / 1000}k_tokens`) })).filter((x) => x.r.input !== undefined || x.r.output !== undefined);
  if (tiers.length > 0) p.tiers = tiers.map(({ t, r }) => defined({ aboveInputTokens: t, ...r, input: r.input ?? p.input, output: r.output ?? p.output, cacheWrite1h: undefined }));
  for (const [tier, suffix] of [['batch', '_batches'], ['flex', '_flex'], ['priority', '_priority']] as const) {
    const r = llRates(v, suffix);
    if (r.input === undefined || r.output === undefined) continue;
    (p.serviceTiers ??= {})[tier] = defined({ ...r, input: r.input, output: r.output, cacheWrite1h: undefined });
  }
  const audioIn = num(v.input_cost_per_audio_token);
  const audioOut = num(v.output_cost_per_audio_token);
  if (audioIn !== undefined || audioOut !== undefined) p.audio = defined({ input: audioIn && perMillion(audioIn), output: audioOut && perMillion(audioOut) });
  const imageIn = num(v.input_cost_per_image_token);
  const imageOut = num(v.output_cost_per_image_token);
  if (imageIn !== undefined || imageOut !== undefined) p.image = defined({ input: imageIn && perMillion(imageIn), output: imageOut && perMillion(imageOut) });
  const perRequest = num(v.input_cost_per_request);
  if (perRequest !== undefined) p.requests = { request: Number((perRequest * 1000).toPrecision(12)) };
  return p;
}

const BEDROCK_PROFILE = /^(global|regional|us-gov|us|eu|apac|ap|jp|au|ca)\./;

/** A LiteLLM key as our provider's model id, with the Bedrock / Azure variant it names. */
export function llModelId(provider: string, key: string): { model: string; variant?: string } | undefined {
  let k = key.toLowerCase();
  if (provider === 'bedrock') {
    if (k.includes('commitment') || /^\d+-x-\d+\/|^max-x-max\//.test(k)) return undefined;
    let variant = 'in-region';
    const path = /^bedrock\/(?:([a-z0-9-]+)\/)?(?:(?:converse|invoke)\/)?/.exec(k);
    if (path !== null) {
      if (path[1]?.startsWith('us-gov')) variant = 'us-gov';
      k = k.slice(path[0].length);
    }
    const profile = BEDROCK_PROFILE.exec(k);
    if (profile !== null) {
      variant = profile[1] === 'global' ? 'global' : profile[1] === 'us-gov' ? 'us-gov' : profile[1] === 'regional' ? 'regional' : 'geo';
      k = k.slice(profile[0].length);
    }
    if (k.startsWith('claude-')) k = `anthropic.${k}`;
    return { model: k, variant };
  }
  if (provider === 'azure') {
    const dz = /^azure\/(eu|us|global|global-standard)\//.exec(k);
    if (dz !== null) return { model: k.slice(dz[0].length), variant: dz[1] === 'eu' || dz[1] === 'us' ? 'data-zone' : 'global' };
    return { model: k.replace(/^azure\//, ''), variant: 'standard' };
  }
  const slash = k.indexOf('/');
  if (slash > 0 && /^(?:azure_ai|cerebras|codestral|cohere|dashscope|deepinfra|deepseek|fireworks_ai|gemini|groq|hyperbolic|lambda_ai|minimax|mistral|moonshot|nebius|novita|nscale|openai|openrouter|ovhcloud|perplexity|sambanova|together_ai|vertex_ai|voyage|xai|zai)$/.test(k.slice(0, slash))) {
    k = k.slice(slash + 1);
  }
  return { model: k };
}

function readLiteLLM(dir: string, map: Record<string, string>): RefEntry[] {
  const data = JSON.parse(readFileSync(join(dir, 'litellm.json'), 'utf8')) as Record<string, Json>;
  const out: RefEntry[] = [];
  for (const [key, v] of Object.entries(data)) {
    const llProvider = String(v.litellm_provider ?? '');
    const provider = map[llProvider] ?? (llProvider.startsWith('vertex_ai') ? map.vertex_ai : undefined);
    if (provider === undefined) continue;
    const period = llPeriod(v);
    const id = llModelId(provider, key);
    if (period === undefined || id === undefined || id.model === '' || id.model.endsWith('/')) continue;
    const kind = v.mode === 'embedding' ? 'embedding' : 'chat';
    // A chat model without an output price is a router or a placeholder, not a price.
    if ((kind === 'chat' ? period.output === 0 : period.input === 0) && !id.model.endsWith(':free')) continue;
    const aliases = provider === 'fireworks' && id.model.startsWith('accounts/') ? [id.model.slice(id.model.lastIndexOf('/') + 1)] : [];
    const source = typeof v.source === 'string' && v.source.startsWith('https://') ? v.source : undefined;
    out.push({ ref: 'litellm', provider, model: id.model, aliases, kind, periods: [period], source, variant: id.variant });
  }
  return out;
}

// ---------------------------------------------------------------- Langfuse

const LANGFUSE_VENDORS: [RegExp, string][] = [
  [/^(gpt-|o\d|chatgpt|text-embedding|davinci|babbage|text-davinci|ft:)/, 'openai'],
  [/^claude/, 'anthropic'],
  [/^gemini|^gemma/, 'google'],
  [/^(mistral|codestral|ministral|pixtral|magistral|devstral|open-mi)/, 'mistral'],
  [/^command|^embed-/, 'cohere'],
  [/^deepseek/, 'deepseek'],
  [/^grok/, 'xai'],
];

function readLangfuse(dir: string): RefEntry[] {
  const data = JSON.parse(readFileSync(join(dir, 'langfuse.json'), 'utf8')) as { modelName: string; prices: Record<string, number> }[];
  const out: RefEntry[] = [];
  for (const m of data) {
    const model = m.modelName.toLowerCase();
    const provider = LANGFUSE_VENDORS.find(([re]) => re.test(model))?.[1];
    const p = m.prices;
    if (provider === undefined || p.input === undefined) continue;
    const first = (...keys: string[]) => keys.map((k) => p[k]).find((x) => x !== undefined);
    const cacheRead = first('input_cached_tokens', 'input_cache_read', 'cache_read_input_tokens');
    const cacheWrite = first('input_cache_creation_5m', 'input_cache_creation', 'cache_creation_input_tokens');
    const cacheWrite1h = first('input_cache_creation_1h');
    const period: RefPeriod = defined({
      effectiveFrom: '1970-01-01',
      input: perMillion(p.input),
      output: perMillion(p.output ?? 0),
      cacheRead: cacheRead === undefined ? undefined : perMillion(cacheRead),
      cacheWrite: cacheWrite === undefined ? undefined : perMillion(cacheWrite),
      cacheWrite1h: cacheWrite1h === undefined ? undefined : perMillion(cacheWrite1h),
    });
    out.push({ ref: 'langfuse', provider, model, aliases: [], kind: p.output === undefined ? 'embedding' : 'chat', periods: [period] });
  }
  return out;
}

/** Every entry of the vendored references in `dir`, under our provider ids. */
export function readReferences(dir: string, map: ProviderMap): RefEntry[] {
  return [...readGenaiPrices(dir, map['genai-prices']), ...readLiteLLM(dir, map.litellm), ...readLangfuse(dir)];
}
