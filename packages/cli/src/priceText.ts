import type { ModalityRates, PricePeriod } from '@genai-cost/pricing';

/** A rate in USD per million tokens, exactly as the catalog has it (`$0.003625`). */
export function rate(usd: number | undefined): string {
  return usd === undefined ? '—' : `$${usd}`;
}

function rates(r: { input: number; output: number; cacheRead?: number | undefined }): string {
  return `${rate(r.input)}/${rate(r.output)}${r.cacheRead === undefined ? '' : ` cached ${rate(r.cacheRead)}`}`;
}

function tokens(n: number): string {
  return n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

function modality(name: string, m: ModalityRates | undefined): string[] {
  if (m === undefined) return [];
  const parts = [m.input === undefined ? '' : `in ${rate(m.input)}`, m.output === undefined ? '' : `out ${rate(m.output)}`, m.cacheRead === undefined ? '' : `cached ${rate(m.cacheRead)}`];
  return [`${name} ${parts.filter((p) => p !== '').join(', ')}`];
}

/** One line naming every billing dimension of a price period beyond its base text rates. */
export function describeDimensions(p: PricePeriod): string {
  const out: string[] = [];
  for (const t of p.tiers ?? []) out.push(`>${tokens(t.aboveInputTokens)} ${rates(t)}`);
  for (const [name, t] of Object.entries(p.serviceTiers ?? {})) out.push(`${name} ${'multiplier' in t ? `×${t.multiplier}` : rates(t)}`);
  const regions = Object.entries(p.regions ?? {});
  if (regions.length > 0) out.push(`regions ${regions.map(([r, m]) => `${r} ×${m}`).join(', ')}`);
  const windows = new Map<string, string[]>();
  for (const w of p.timeWindows ?? []) {
    const key = `${w.name} ×${w.multiplier}${w.days === undefined ? '' : ` ${w.days.join(',')}`}`;
    windows.set(key, [...(windows.get(key) ?? []), `${w.start}-${w.end}`]);
  }
  for (const [key, spans] of windows) out.push(`${key} ${spans.join(', ')} UTC${p.baseWindow === undefined ? '' : ` (else ${p.baseWindow})`}`);
  out.push(...modality('audio', p.audio), ...modality('image', p.image), ...modality('video', p.video));
  for (const [kind, usd] of Object.entries(p.requests ?? {})) out.push(`${kind} $${usd}/1k`);
  return out.join('; ');
}
