import { readFileSync } from 'node:fs';
import { PricingError, describeIssues } from './errors.js';
import { canonicalProvider, modelNameCandidates, providerFromPath, regionOfModel } from './match.js';
import { catalogFileSchema, userModelSchema } from './schema.js';
import type { CatalogFile, CatalogPrice, CatalogProvider, UserModelPriceInput } from './schema.js';
import type { PriceOrigin } from './types.js';

/** One period of a model's price, in force from `effectiveFrom` until the next, with its dimensions. */
export type PricePeriod = Omit<CatalogPrice, 'source' | 'checked' | 'basis'> & {
  /** `provider/model@effectiveFrom`: names this price version on spans and rows. */
  id: string;
  /** `effectiveFrom` as epoch milliseconds. */
  effectiveFromMs: number;
  /** Where the price was read, when known. */
  source?: string | undefined;
  /** The date the price was last checked against its source. */
  checked?: string | undefined;
  /** Which sources the rates were built from (`curated`, `genai-prices`, `litellm`, ...). */
  basis?: string | undefined;
};

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

/** Which model a raw name matched, by which of its forms, and why that provider's entry. */
export interface ModelMatch {
  model: ModelPrice;
  /** The form of the raw name that matched (see `modelNameCandidates`). */
  name: string;
  /** One line saying why this entry was chosen. */
  reason: string;
  /** The region class the raw name carries (see `regionOfModel`), kept with the memoised match. */
  region?: string | undefined;
}

/** The model and the price period that apply to one call. */
export interface ResolvedPrice {
  model: ModelPrice;
  period: PricePeriod;
}

/** Options of {@link PriceCatalog.resolve}. */
export interface ResolveOptions {
  /** Provider as the span names it (`gen_ai.provider.name`); chooses among same-named models. */
  provider?: string | undefined;
  /** When the call started, epoch ms. Default: now. */
  at?: number | undefined;
}

/** A provider as the catalog knows it. */
export type ProviderInfo = CatalogProvider;

interface Index {
  byName: Map<string, ModelPrice[]>;
  withPatterns: ModelPrice[];
}

/** Bound on the memo of raw model names, so hostile or unbounded names cannot grow memory. */
const MEMO_LIMIT = 10_000;
/** Without a provider, a vendor's own price comes first, then hosts, clouds and routers. */
const KIND_RANK: Record<CatalogProvider['kind'], number> = { vendor: 0, host: 1, cloud: 2, router: 3 };

type PeriodInput = Omit<CatalogPrice, 'source' | 'checked' | 'effectiveFrom'> & {
  effectiveFrom: string;
  source?: string | undefined;
  checked?: string | undefined;
};

/** Epoch ms of a catalog `effectiveFrom` (a date is UTC midnight). */
export function effectiveMs(s: string): number {
  return Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
}

function toPeriods(modelId: string, prices: readonly PeriodInput[], defaults?: CatalogProvider): PricePeriod[] {
  return prices.map((p) => {
    const serviceTiers = defaults?.serviceTiers === undefined ? p.serviceTiers : { ...defaults.serviceTiers, ...p.serviceTiers };
    return { ...p, serviceTiers, id: `${modelId}@${p.effectiveFrom}`, effectiveFromMs: effectiveMs(p.effectiveFrom) };
  });
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
  private readonly providerById: ReadonlyMap<string, CatalogProvider>;
  /** provider hint ('' for none) → raw model name → match; no key is built per lookup. */
  private readonly memo = new Map<string, Map<string, ModelMatch | null>>();
  private memoSize = 0;

  private constructor(
    private readonly builtinModels: readonly ModelPrice[],
    private readonly customModels: readonly ModelPrice[],
    private readonly providerList: readonly CatalogProvider[],
    /** The date the catalog was last checked, when known. */
    readonly checked?: string,
    /** Names that stand for another (Azure deployment names), lowercased. */
    private readonly nameAliases: ReadonlyMap<string, string> = new Map(),
  ) {
    this.builtin = buildIndex(builtinModels);
    this.custom = buildIndex(customModels);
    this.providerById = new Map(providerList.map((p) => [p.id, p]));
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
    return PriceCatalog.fromValidatedData(parsed.data, origin);
  }

  /** A catalog from data already validated against `catalogFileSchema` (the build's output); no schema pass. */
  static fromValidatedData(file: CatalogFile, origin = 'price catalog'): PriceCatalog {
    const providers = new Map(file.providers.map((p) => [p.id, p]));
    const ids = new Set<string>();
    const models = file.models.map((m): ModelPrice => {
      if (ids.has(m.id)) throw new PricingError('INVALID_CATALOG', `${origin}: duplicate model id "${m.id}"`);
      if (!providers.has(m.provider)) throw new PricingError('INVALID_CATALOG', `${origin} (entry "${m.id}"): provider "${m.provider}" is not in providers`);
      ids.add(m.id);
      return {
        id: m.id,
        provider: m.provider,
        model: m.model,
        kind: m.kind,
        origin: 'builtin',
        aliases: (m.aliases ?? []).map((a) => a.toLowerCase()),
        patterns: [],
        prices: toPeriods(m.id, m.prices, providers.get(m.provider)),
      };
    });
    return new PriceCatalog(models, [], file.providers, file.checked);
  }

  /**
   * The catalog shipped with this package (`data/prices.json`), loaded once. The build validates
   * it with the schema and a test checks the committed file, so loading skips the schema pass
   * (most of the load time of 2,000+ models) and checks only the format version.
   */
  static builtin(): PriceCatalog {
    if (builtinCatalog === undefined) {
      const url = new URL('../data/prices.json', import.meta.url);
      const data = JSON.parse(readFileSync(url, 'utf8')) as CatalogFile;
      if (data.version !== 2) throw new PricingError('INVALID_CATALOG', `${url.pathname}: version: expected 2`);
      builtinCatalog = PriceCatalog.fromValidatedData(data, url.pathname);
    }
    return builtinCatalog;
  }

  /** An empty catalog, for users who bring every price themselves. */
  static empty(): PriceCatalog {
    return new PriceCatalog([], [], []);
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
    return new PriceCatalog(this.builtinModels, [...byId.values()], this.providerList, this.checked, this.nameAliases);
  }

  /**
   * A new catalog where each name stands for a model name the catalog prices: an Azure OpenAI
   * deployment name (`{ 'prod-chat': 'gpt-4o-2024-08-06' }`), a proxy's model alias. Throws a
   * `PricingError` naming the first alias whose target has no price.
   */
  withAliases(aliases: Readonly<Record<string, string>>): PriceCatalog {
    const map = new Map(this.nameAliases);
    for (const [name, target] of Object.entries(aliases)) {
      if (this.match(target) === undefined) throw new PricingError('INVALID_PRICE_ENTRY', `alias "${name}": no price for "${target}"`);
      map.set(name.trim().toLowerCase(), target);
    }
    return new PriceCatalog(this.builtinModels, this.customModels, this.providerList, this.checked, map);
  }

  /** Every model, custom prices first. */
  models(): readonly ModelPrice[] {
    return [...this.customModels, ...this.builtinModels];
  }

  /** The providers, clouds and hosts of the built-in catalog. */
  providers(): readonly CatalogProvider[] {
    return this.providerList;
  }

  /** The model a raw name refers to, or undefined when none is priced. See {@link PriceCatalog.match}. */
  find(rawModel: string, provider?: string): ModelPrice | undefined {
    return this.match(rawModel, provider)?.model;
  }

  /**
   * The model a raw name refers to and why, or undefined when none is priced. Custom prices come
   * first. Within each origin: the most specific form of the name (see `modelNameCandidates`) of
   * the span's provider (or the provider named by a `provider/` path prefix), then of the
   * providers it falls back to; then, with no provider or none that has the model, any provider's
   * entry (a vendor's own price first), except that a span provider the catalog knows is only
   * replaced by a vendor's list price; finally custom patterns. Results are memoised (bounded).
   */
  match(rawModel: string, provider?: string): ModelMatch | undefined {
    const hint = provider ?? '';
    let byModel = this.memo.get(hint);
    const hit = byModel?.get(rawModel);
    if (hit !== undefined) return hit ?? undefined;
    const lookedUp = this.lookup(rawModel, provider);
    const found = lookedUp === undefined ? null : { ...lookedUp, region: regionOfModel(rawModel) };
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

  private lookup(rawModel: string, rawProvider: string | undefined): ModelMatch | undefined {
    const target = this.nameAliases.get(rawModel.trim().toLowerCase());
    if (target !== undefined) {
      const m = this.lookup(target, rawProvider);
      return m === undefined ? undefined : { ...m, reason: `alias "${rawModel.trim()}" → "${target}"; ${m.reason}` };
    }
    const candidates = modelNameCandidates(rawModel);
    const spanProvider = canonicalProvider(rawProvider);
    const pathProvider = providerFromPath(rawModel);
    const preferred = spanProvider ?? pathProvider;
    const chain = preferred === undefined ? [] : [preferred, ...(this.providerById.get(preferred)?.fallback ?? [])];
    const source = spanProvider !== undefined ? `span provider "${rawProvider}"` : `provider "${pathProvider}" in the model path`;
    // A span provider the catalog knows keeps its own prices: another host's price for the same
    // open model would be a guess, so only the vendor's list price may stand in for it.
    const vendorsOnly = spanProvider !== undefined && this.providerById.has(spanProvider);
    const forms = (i: number, name: string) => (i === 0 ? `name "${name}"` : `name "${name}" (reduced from "${rawModel.trim()}")`);

    for (const [index, origin] of [[this.custom, 'custom price'], [this.builtin, 'catalog']] as const) {
      for (const p of chain) {
        for (let i = 0; i < candidates.length; i++) {
          const m = index.byName.get(candidates[i]!)?.find((x) => x.provider === p);
          if (m === undefined) continue;
          const via = p === preferred ? source : `${source}, which falls back to "${p}"`;
          return { model: m, name: candidates[i]!, reason: `${origin}: ${forms(i, candidates[i]!)}, provider "${p}" from the ${via}` };
        }
      }
      for (let i = 0; i < candidates.length; i++) {
        const list = index.byName.get(candidates[i]!);
        if (list === undefined) continue;
        const m = this.pick(list, origin === 'catalog' && vendorsOnly);
        if (m === undefined) continue;
        const why =
          chain.length === 0
            ? 'no provider given'
            : `no "${chain.join('", "')}" entry${vendorsOnly ? ", so the vendor's list price" : ''}`;
        return { model: m, name: candidates[i]!, reason: `${origin}: ${forms(i, candidates[i]!)}, ${why}: ${m.id}` };
      }
      const raw = rawModel.trim();
      const byPattern = index.withPatterns.find((m) => m.patterns.some((p) => p.test(raw)));
      if (byPattern !== undefined) return { model: byPattern, name: raw, reason: `${origin}: pattern of ${byPattern.id}` };
    }
    return undefined;
  }

  private pick(list: readonly ModelPrice[], vendorsOnly: boolean): ModelPrice | undefined {
    let best: ModelPrice | undefined;
    let bestRank = Infinity;
    for (const m of list) {
      const kind = m.provider === undefined ? undefined : this.providerById.get(m.provider)?.kind;
      if (vendorsOnly && kind !== 'vendor') continue;
      const rank = kind === undefined ? 0 : KIND_RANK[kind];
      if (rank < bestRank) {
        best = m;
        bestRank = rank;
      }
    }
    return best;
  }
}

let builtinCatalog: PriceCatalog | undefined;
