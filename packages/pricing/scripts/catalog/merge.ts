/**
 * The catalog build: reference entries merged per provider and model (genai-prices first, then
 * LiteLLM, then Langfuse), Bedrock and Azure variants folded into region multipliers, curated
 * entries laid on top (ours win), and every disagreement above 1% between the chosen price and
 * another reference written into the data as a note saying which was followed and why.
 */
import { modelNameCandidates } from '../../src/match.js';
import type { CatalogFile, CatalogModel, CatalogPrice, CatalogProvider } from '../../src/schema.js';
import { REFERENCE_DATES, REFERENCES } from './references.js';
import type { RefEntry, RefPeriod, ReferenceName } from './references.js';

/** A provider of providers.yaml: the catalog's fields plus what only the build reads. */
export interface CuratedProvider extends CatalogProvider {
  regionRules?: { models: string; regions: Record<string, number>; source: string; note: string }[];
  references: { 'genai-prices': string[]; litellm: string[] };
}

/** A curated model: a catalog model without the derived `id` and `provider`. */
export type CuratedModel = Omit<CatalogModel, 'id' | 'provider' | 'kind'> & { kind?: CatalogModel['kind'] };

export interface BuildInput {
  checked: string;
  providers: CuratedProvider[];
  /** Curated models per provider id. */
  curated: Record<string, CuratedModel[]>;
  references: RefEntry[];
}

/** Why a reference was preferred over another that disagrees with it. */
const WHY: Record<ReferenceName, string> = {
  'genai-prices': 'genai-prices is edited by hand from the provider pages, with per-model check dates',
  litellm: 'LiteLLM is the larger map and lists this entry',
  langfuse: 'Langfuse is the only reference with this entry',
};

/** Relative difference above which two prices disagree. */
export const TOLERANCE = 0.01;

/** Whether two rates differ by more than {@link TOLERANCE}. */
export function differs(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale > 0 && Math.abs(a - b) / scale > TOLERANCE;
}

/** The base rates of the period in force at `date` (first period for anything earlier). */
export function ratesAt<P extends { effectiveFrom: string; input: number; output: number; cacheRead?: number | undefined }>(periods: readonly P[], date: string): P {
  let chosen = periods[0]!;
  for (const p of periods) if (p.effectiveFrom.slice(0, 10) <= date) chosen = p;
  return chosen;
}

/** `in/out[/cached]` for notes. */
export function describeRates(p: { input: number; output: number; cacheRead?: number | undefined }): string {
  return `${p.input}/${p.output}${p.cacheRead === undefined ? '' : ` cached ${p.cacheRead}`}`;
}

function disagreement(chosen: RefPeriod[], other: RefEntry): boolean {
  const date = REFERENCE_DATES[other.ref];
  const a = ratesAt(chosen, date);
  const b = ratesAt(other.periods, date);
  return differs(a.input, b.input) || differs(a.output, b.output) || differs(a.cacheRead, b.cacheRead);
}

const VARIANT_BASE = ['global', 'standard', 'in-region', 'regional', 'geo', 'us-gov', 'data-zone'];

/** Bedrock and Azure keys name one model in several variants: the global price is the base. */
function foldVariants(group: RefEntry[]): { base: RefEntry; derived: Record<string, number> } {
  const byVariant = (v: string) => group.find((e) => (e.variant ?? (e.model.startsWith('global.') ? 'global' : 'in-region')) === v);
  const base = VARIANT_BASE.map(byVariant).find((e) => e !== undefined) ?? group[0]!;
  const derived: Record<string, number> = {};
  const b = base.periods.at(-1)!;
  for (const [variant, cls] of [['regional', 'geo'], ['geo', 'geo'], ['us-gov', 'us-gov'], ['data-zone', 'data-zone']] as const) {
    const e = byVariant(variant);
    if (e === undefined || e === base || b.input === 0) continue;
    const ratio = Number((e.periods.at(-1)!.input / b.input).toFixed(3));
    if (ratio !== 1) derived[cls] = ratio;
  }
  return { base, derived };
}

function normaliseBedrockKey(e: RefEntry): RefEntry {
  if (e.ref !== 'genai-prices') return e;
  const m = /^(global|regional)\.(.*)$/.exec(e.model);
  if (m === null) return { ...e, variant: 'in-region' };
  return { ...e, model: m[2]!, variant: m[1]! };
}

function toCatalogPeriods(entry: RefEntry, provider: CuratedProvider, others: RefEntry[]): CatalogPrice[] {
  const agreeing = others.filter((o) => !disagreement(entry.periods, o)).map((o) => o.ref);
  const disagreeing = others.filter((o) => disagreement(entry.periods, o));
  const basis = [entry.ref, ...agreeing.filter((r, i, a) => a.indexOf(r) === i && r !== entry.ref)].join('+');
  const source = entry.source !== undefined && /^https:\/\/[^ ]+$/.test(entry.source) ? entry.source : provider.source;
  const note =
    disagreeing.length === 0
      ? undefined
      : `${disagreeing.map((o) => `${o.ref} (${REFERENCE_DATES[o.ref]}) lists ${describeRates(ratesAt(o.periods, REFERENCE_DATES[o.ref]))}`).join('; ')}; followed ${entry.ref}: ${WHY[entry.ref]}`;
  return entry.periods.map((p) => ({ ...p, source, checked: REFERENCE_DATES[entry.ref], basis, ...(note === undefined ? {} : { note }) }));
}

function withRegions<P extends { regions?: Record<string, number> | undefined }>(periods: P[], regions: Record<string, number> | undefined): P[] {
  if (regions === undefined || Object.keys(regions).length === 0) return periods;
  return periods.map((p) => ({ ...p, regions: { ...regions, ...p.regions } }));
}

function ruleRegions(provider: CuratedProvider, model: string): Record<string, number> | undefined {
  let out: Record<string, number> | undefined;
  for (const rule of provider.regionRules ?? []) if (new RegExp(rule.models).test(model)) out = { ...out, ...rule.regions };
  return out;
}

const INHERITED = ['serviceTiers', 'audio', 'image', 'video', 'requests'] as const;

/**
 * A curated period states the rates we read from the provider page; dimensions it leaves out
 * (service tiers, modality rates, per-request charges) are taken from the reference entry of the
 * same model when that reference's base rates agree with ours at the time.
 */
function inheritDimensions(
  periods: CatalogPrice[],
  ref: { prices: readonly RefPeriod[]; basis?: string | undefined } | undefined,
  defaultBasis = 'curated',
): CatalogPrice[] {
  return periods.map((p) => {
    const out: CatalogPrice = { ...p, basis: p.basis ?? defaultBasis };
    if (ref === undefined) return out;
    const q = ratesAt(ref.prices, p.effectiveFrom.slice(0, 10));
    if (differs(p.input, q.input) || differs(p.output, q.output)) return out;
    const taken = INHERITED.filter((k) => p[k] === undefined && q[k] !== undefined);
    for (const k of taken) (out as Record<string, unknown>)[k] = q[k];
    if (taken.length > 0) out.basis = `${out.basis}; ${taken.join(', ')} from ${ref.basis ?? 'the reference entry'}`;
    return out;
  });
}

/**
 * Reference entries that curated entries cover: one named like a curated model or alias is
 * dropped (ours win); a dated snapshot of a curated model (`gpt-4o-2024-11-20` of `gpt-4o`) whose
 * price agrees with ours at the reference's date becomes an alias of the curated entry, so it
 * keeps the curated price history. A snapshot with a price of its own stays an entry.
 */
function foldIntoCurated(models: Map<string, CatalogModel>, curated: Record<string, CuratedModel[]>): Map<string, string[]> {
  const byName = new Map<string, { id: string; prices: CatalogPrice[] }>();
  for (const [provider, list] of Object.entries(curated)) {
    for (const c of list) {
      const entry = { id: `${provider}/${c.model.toLowerCase()}`, prices: c.prices };
      for (const name of [c.model, ...(c.aliases ?? [])]) byName.set(`${provider}/${name.toLowerCase()}`, entry);
    }
  }
  const folded = new Map<string, string[]>();
  for (const [id, m] of models) {
    const same = byName.get(id);
    if (same !== undefined) {
      if (same.id !== id) models.delete(id);
      continue;
    }
    const target = modelNameCandidates(m.model)
      .slice(1)
      .map((n) => byName.get(`${m.provider}/${n}`))
      .find((t) => t !== undefined);
    if (target === undefined) continue;
    const date = m.prices[0]!.checked;
    const ours = ratesAt(target.prices, date);
    const theirs = ratesAt(m.prices, date);
    if (differs(ours.input, theirs.input) || differs(ours.output, theirs.output)) continue;
    models.delete(id);
    folded.set(target.id, [...(folded.get(target.id) ?? []), m.model, ...(m.aliases ?? [])]);
  }
  return folded;
}

/** Drops aliases another model of the same provider answers to by its own id or an earlier alias. */
function dedupeAliases(models: CatalogModel[]): void {
  const own = new Set(models.map((m) => `${m.provider}\u0000${m.model}`));
  const claimed = new Set<string>();
  for (const m of models) {
    const kept = (m.aliases ?? []).filter((a) => {
      const key = `${m.provider}\u0000${a.toLowerCase()}`;
      if (a.toLowerCase() === m.model || own.has(key) || claimed.has(key)) return false;
      claimed.add(key);
      return true;
    });
    if (kept.length > 0) m.aliases = kept;
    else delete m.aliases;
  }
}

/** Builds the catalog file from curated data and the references; deterministic for the same input. */
export function buildCatalog(input: BuildInput): CatalogFile {
  const providers = new Map(input.providers.map((p) => [p.id, p]));
  const groups = new Map<string, RefEntry[]>();
  for (const raw of input.references) {
    const e = raw.provider === 'bedrock' ? normaliseBedrockKey(raw) : raw;
    if (!providers.has(e.provider)) continue;
    const key = `${e.provider}/${e.model}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(e);
  }

  const models = new Map<string, CatalogModel>();
  for (const [id, group] of groups) {
    const provider = providers.get(group[0]!.provider)!;
    let chosen: RefEntry;
    let derived: Record<string, number> = {};
    if (provider.id === 'bedrock' || provider.id === 'azure') ({ base: chosen, derived } = foldVariants(group));
    else chosen = REFERENCES.map((r) => group.find((e) => e.ref === r)).find((e) => e !== undefined)!;
    const others = group.filter((e) => e !== chosen && (e.variant ?? 'x') === (chosen.variant ?? 'x'));
    const aliases = [...new Set(group.flatMap((e) => e.aliases))].sort();
    const regions = { ...derived, ...ruleRegions(provider, chosen.model) };
    let prices = toCatalogPeriods(chosen, provider, others);
    for (const o of others) prices = inheritDimensions(prices, { prices: o.periods, basis: o.ref }, prices[0]!.basis);
    models.set(id, {
      id,
      provider: provider.id,
      model: chosen.model,
      ...(aliases.length > 0 ? { aliases } : {}),
      kind: chosen.kind,
      prices: withRegions(prices, regions),
    });
  }

  const folded = foldIntoCurated(models, input.curated);
  for (const [providerId, list] of Object.entries(input.curated)) {
    const provider = providers.get(providerId);
    if (provider === undefined) throw new Error(`curated/${providerId}.yaml: provider "${providerId}" is not in providers.yaml`);
    for (const c of list) {
      const model = c.model.toLowerCase();
      const id = `${providerId}/${model}`;
      const prices = withRegions(inheritDimensions(c.prices, models.get(id)), ruleRegions(provider, model));
      const aliases = [...(c.aliases ?? []), ...(folded.get(id) ?? [])];
      models.set(id, { id, provider: providerId, model, ...(aliases.length > 0 ? { aliases } : {}), kind: c.kind ?? 'chat', prices });
    }
  }

  const sorted = [...models.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  dedupeAliases(sorted);
  return {
    version: 2,
    currency: 'USD',
    unit: 'per 1M tokens',
    checked: input.checked,
    providers: input.providers.map(({ regionRules: _r, references: _refs, ...p }) => p),
    models: sorted,
  };
}
