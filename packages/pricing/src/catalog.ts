import { readFileSync } from 'node:fs';
import { canonicalProvider, modelNameCandidates } from './match.js';
import { catalogFileSchema, userModelSchema } from './schema.js';
import type { CatalogPrice, PriceTier, UserModelPriceInput } from './schema.js';
import { PricingError, describeIssues } from './errors.js';
import type { PriceOrigin } from './types.js';

/** One period of a model's price, in force from `effectiveFrom` (UTC midnight) until the next. */
export interface PricePeriod {
  /** `provider/model@effectiveFrom`: names this price version on spans and rows. */
  id: string;
  /** YYYY-MM-DD. */
  effectiveFrom: string;
  /** `effectiveFrom` as epoch milliseconds. */
  effectiveFromMs: number;
  input: number;
  output: number;
  cacheRead?: number | undefined;
  cacheWrite?: number | undefined;
  cacheWrite1h?: number | undefined;
  tiers?: PriceTier[] | undefined;
  /** Where the price was read, when known. */
  source?: string | undefined;
  /** The date the price was last checked against its source. */
  checked?: string | undefined;
}

/** A priced model: its ids, names it is matched by, and its price history. */
export interface ModelPrice {
  /** `provider/model`, unique within its origin. */
  id: string;
  provider?: string | undefined;
  model: string;
  kind: 'chat' | 'embedding';
  origin: PriceOrigin;
  /** Exact names (lowercase) this model answers to besides its id and model. */
  aliases: readonly string[];
  /** Case-insensitive patterns (custom prices only) tried on the whole raw model name. */
  patterns: readonly RegExp[];
  /** Ascending by `effectiveFrom`. */
  prices: readonly PricePeriod[];
}

/** The model and the price period that apply to one call. */
export interface ResolvedPrice {
  model: ModelPrice;
  period: PricePeriod;
}

/** Options of {@link PriceCatalog.resolve}. */
export interface ResolveOptions {
  /** Provider as the span names it (`gen_ai.provider.name`); breaks ties between same-named models. */
  provider?: string | undefined;
  /** When the call started, epoch ms. Default: now. */
  at?: number | undefined;
}

interface Index {
  byName: Map<string, ModelPrice[]>;
  withPatterns: ModelPrice[];
}

/** Bound on the memo of raw model names, so hostile or unbounded names cannot grow memory. */
const MEMO_LIMIT = 10_000;

type PeriodInput = Omit<CatalogPrice, 'source' | 'checked'> & { source?: string | undefined; checked?: string | undefined };

function toPeriods(modelId: string, prices: readonly PeriodInput[]): PricePeriod[] {
  return prices.map((p) => ({ ...p, id: `${modelId}@${p.effectiveFrom}`, effectiveFromMs: Date.parse(`${p.effectiveFrom}T00:00:00Z`) }));
}

function buildIndex(models: readonly ModelPrice[]): Index {
  const byName = new Map<string, ModelPrice[]>();
  const add = (name: string, m: ModelPrice) => {
    const key = name.toLowerCase();
    const list = byName.get(key);
    if (list === undefined) byName.set(key, [m]);
    else if (!list.includes(m)) list.push(m);
  };
  for (const m of models) {
    add(m.id, m);
    add(m.model, m);
    for (const a of m.aliases) add(a, m);
  }
  // Deterministic tie order, whatever the order of the input.
  for (const list of byName.values()) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { byName, withPatterns: models.filter((m) => m.patterns.length > 0) };
}

function pick(list: readonly ModelPrice[], provider: string | undefined): ModelPrice {
  if (provider !== undefined && list.length > 1) {
    const same = list.find((m) => m.provider === provider);
    if (same !== undefined) return same;
  }
  return list[0]!;
}

/** The period in force at `at`; the first period also covers any time before it. */
export function periodAt(model: ModelPrice, at: number): PricePeriod {
  const prices = model.prices;
  for (let i = prices.length - 1; i > 0; i--) {
    if (prices[i]!.effectiveFromMs <= at) return prices[i]!;
  }
  return prices[0]!;
}

/**
 * Prices of LLM models with their history, and the matching of raw model names to them.
 * Immutable: {@link PriceCatalog.withPrices} returns a new catalog.
 */
export class PriceCatalog {
  private readonly custom: Index;
  private readonly builtin: Index;
  /** provider hint ('' for none) → raw model name → match; no key is built per lookup. */
  private readonly memo = new Map<string, Map<string, ModelPrice | null>>();
  private memoSize = 0;

  private constructor(
    private readonly builtinModels: readonly ModelPrice[],
    private readonly customModels: readonly ModelPrice[],
  ) {
    this.builtin = buildIndex(builtinModels);
    this.custom = buildIndex(customModels);
  }

  /** Validates catalog data (the shape of `data/prices.json`) and builds a catalog from it. */
  static fromData(data: unknown, origin = 'price catalog'): PriceCatalog {
    const parsed = catalogFileSchema.safeParse(data);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const idx = first?.path[0] === 'models' ? first.path[1] : undefined;
      const id = typeof idx === 'number' ? (data as { models: { id?: unknown }[] }).models[idx]?.id : undefined;
      const which = id === undefined ? '' : ` (entry "${String(id)}")`;
      throw new PricingError('INVALID_CATALOG', `${origin}${which}: ${describeIssues(parsed.error)}`);
    }
    const ids = new Set<string>();
    const models = parsed.data.models.map((m): ModelPrice => {
      if (ids.has(m.id)) throw new PricingError('INVALID_CATALOG', `${origin}: duplicate model id "${m.id}"`);
      ids.add(m.id);
      return {
        id: m.id,
        provider: m.provider,
        model: m.model,
        kind: m.kind,
        origin: 'builtin',
        aliases: (m.aliases ?? []).map((a) => a.toLowerCase()),
        patterns: [],
        prices: toPeriods(m.id, m.prices),
      };
    });
    return new PriceCatalog(models, []);
  }

  /** The catalog shipped with this package (`data/prices.json`), loaded and validated once. */
  static builtin(): PriceCatalog {
    if (builtinCatalog === undefined) {
      const url = new URL('../data/prices.json', import.meta.url);
      builtinCatalog = PriceCatalog.fromData(JSON.parse(readFileSync(url, 'utf8')), url.pathname);
    }
    return builtinCatalog;
  }

  /** An empty catalog, for users who bring every price themselves. */
  static empty(): PriceCatalog {
    return new PriceCatalog([], []);
  }

  /**
   * A new catalog where `entries` (validated; errors name the entry and field) are added to the
   * custom prices. Custom prices beat built-in ones for every name they match; among custom
   * prices, a later entry with the same id replaces an earlier one.
   */
  withPrices(entries: readonly UserModelPriceInput[], origin = 'prices'): PriceCatalog {
    const added = entries.map((raw, i) => {
      const parsed = userModelSchema.safeParse(raw);
      const name = typeof (raw as { model?: unknown })?.model === 'string' ? ` ("${(raw as { model: string }).model}")` : '';
      if (!parsed.success) {
        throw new PricingError('INVALID_PRICE_ENTRY', `${origin}: entry ${i}${name}: ${describeIssues(parsed.error)}`);
      }
      const e = parsed.data;
      const model = e.model.toLowerCase();
      const id = `${e.provider ?? 'custom'}/${model}`;
      return {
        id,
        provider: e.provider,
        model,
        kind: e.kind ?? 'chat',
        origin: 'custom',
        aliases: (e.aliases ?? []).map((a) => a.toLowerCase()),
        patterns: (e.patterns ?? []).map((p) => new RegExp(p, 'i')),
        prices: toPeriods(id, e.prices),
      } satisfies ModelPrice;
    });
    const byId = new Map<string, ModelPrice>();
    for (const m of [...this.customModels, ...added]) byId.set(m.id, m);
    return new PriceCatalog(this.builtinModels, [...byId.values()]);
  }

  /** Every model, custom prices first. */
  models(): readonly ModelPrice[] {
    return [...this.customModels, ...this.builtinModels];
  }

  /**
   * The model a raw name refers to, or undefined when none is priced. Custom prices come first;
   * within each origin the most specific name form wins (see `modelNameCandidates`), then custom
   * patterns; the provider breaks ties, then the id's sort order.
   */
  find(rawModel: string, provider?: string): ModelPrice | undefined {
    const hint = provider ?? '';
    let byModel = this.memo.get(hint);
    const hit = byModel?.get(rawModel);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.lookup(rawModel, canonicalProvider(provider)) ?? null;
    if (this.memoSize >= MEMO_LIMIT) {
      this.memo.clear();
      this.memoSize = 0;
      byModel = undefined;
    }
    if (byModel === undefined) this.memo.set(hint, (byModel = new Map()));
    byModel.set(rawModel, found);
    this.memoSize++;
    return found ?? undefined;
  }

  /** The model and the price in force at `options.at` for a raw model name, or undefined. */
  resolve(rawModel: string, options: ResolveOptions = {}): ResolvedPrice | undefined {
    const model = this.find(rawModel, options.provider);
    if (model === undefined) return undefined;
    return { model, period: periodAt(model, options.at ?? Date.now()) };
  }

  private lookup(rawModel: string, provider: string | undefined): ModelPrice | undefined {
    const candidates = modelNameCandidates(rawModel);
    for (const index of [this.custom, this.builtin]) {
      for (const name of candidates) {
        const list = index.byName.get(name);
        if (list !== undefined) return pick(list, provider);
      }
      const raw = rawModel.trim();
      const byPattern = index.withPatterns.find((m) => m.patterns.some((p) => p.test(raw)));
      if (byPattern !== undefined) return byPattern;
    }
    return undefined;
  }
}

let builtinCatalog: PriceCatalog | undefined;
