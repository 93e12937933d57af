import { readFileSync } from 'node:fs';
import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { GenAICostSpanProcessor } from '@genai-cost/otel';
import { PriceCatalog, computeCost, priceUsage, ratesFor } from '@genai-cost/pricing';
import type { CatalogFile } from '@genai-cost/pricing';
import { interleaved, median } from './stats.js';

const CATALOG_URL = new URL('../packages/pricing/data/prices.json', import.meta.url);
/** Names as spans carry them, across platforms, with the provider a span would give. */
const CALLS: [string, string][] = [
  ['gpt-4o-mini-2024-07-18', 'openai'],
  ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock'],
  ['claude-sonnet-4-5-20250929', 'anthropic'],
  ['publishers/google/models/gemini-2.5-flash', 'gcp.vertex_ai'],
  ['llama-3.3-70b-versatile', 'groq'],
  ['anthropic/claude-sonnet-4.5', 'openrouter'],
  ['deepseek-v4-pro', 'deepseek'],
  ['gpt-4.1-mini', 'azure.ai.openai'],
];
const USAGE = { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 1024 };
/** A weekday in DeepSeek's peak hours of 2026, so its call is priced through a time-of-day window (the Bedrock one through a region). */
const PEAK_HOUR = Date.parse('2026-11-25T02:30:00Z');

/**
 * Prints the bundled catalog's load time (read, parse, index; and with the zod validation a
 * newer catalog from a URL gets) against a bare `JSON.parse` of the same file, and the cost of a lookup and of pricing one call, memoised,
 * against a Map lookup and against the previous `ratesFor` + `computeCost` path.
 */
export function benchCatalog(): void {
  const text = readFileSync(CATALOG_URL, 'utf8');
  const ms = (fn: () => unknown) => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const samples: Record<'parse' | 'bundled' | 'validated', number[]> = { parse: [], bundled: [], validated: [] };
  // builtin() loads once per process; its work is timed through the same steps with a fresh index each round.
  const bundled = PriceCatalog.builtin();
  for (let round = 0; round < 7; round++) {
    samples.parse.push(ms(() => JSON.parse(readFileSync(CATALOG_URL, 'utf8'))));
    samples.bundled.push(ms(() => PriceCatalog.fromValidatedData(JSON.parse(readFileSync(CATALOG_URL, 'utf8')) as CatalogFile)));
    samples.validated.push(ms(() => PriceCatalog.fromData(JSON.parse(readFileSync(CATALOG_URL, 'utf8')))));
  }
  const [parse, load, validated] = [median(samples.parse), median(samples.bundled), median(samples.validated)];
  console.log(
    `catalog    bundled catalog (${bundled.models().length.toLocaleString('en-US')} models, ${(text.length / 1024).toFixed(0)} KiB): ` +
      `load ${load.toFixed(1)} ms median of 7 (${(load / parse).toFixed(1)}× a bare JSON.parse of ${parse.toFixed(1)} ms); ` +
      `validated with zod as a catalog from a URL is: ${validated.toFixed(1)} ms (${(validated / parse).toFixed(1)}×)`,
  );
  const catalog = bundled;

  const map = new Map(CALLS.map(([m]) => [m, 1]));
  let sink = 0;
  const resolved = CALLS.map(([m, p]) => catalog.resolve(m, { provider: p, at: Date.now() })!);
  const ns = interleaved(15, 200_000, {
    'map lookup': (i) => {
      sink += map.get(CALLS[i % CALLS.length]![0])!;
    },
    'match()': (i) => {
      const [m, p] = CALLS[i % CALLS.length]!;
      sink += catalog.match(m, p)!.name.length;
    },
    'ratesFor + computeCost': (i) => {
      sink += computeCost(USAGE, ratesFor(resolved[i % CALLS.length]!.period, USAGE.inputTokens)).totalUsd;
    },
    'priceUsage()': (i) => {
      const [m, p] = CALLS[i % CALLS.length]!;
      sink += priceUsage(catalog, { model: m, provider: p, at: PEAK_HOUR, usage: USAGE })!.cost.totalUsd;
    },
  });
  const us = (k: string) => (ns[k]! / 1000).toFixed(3);
  console.log(
    `catalog    memoised match(): ${us('match()')} µs (${(ns['match()']! / ns['map lookup']!).toFixed(1)}× a bare Map lookup of ${us('map lookup')} µs); ` +
      `priceUsage() per call: ${us('priceUsage()')} µs (${(ns['priceUsage()']! / ns['ratesFor + computeCost']!).toFixed(1)}× ratesFor + computeCost on a resolved price, ${us('ratesFor + computeCost')} µs)`,
  );
  if (Number.isNaN(sink)) console.log('unreachable');
  benchProcessorCatalogSize(catalog);
}

/** The span processor with the bundled catalog against the same processor with a one-model catalog. */
function benchProcessorCatalogSize(bundled: PriceCatalog): void {
  const small = PriceCatalog.empty().withPrices([{ provider: 'openai', model: 'gpt-4o-mini', input: 0.15, output: 0.6, cacheRead: 0.075 }]);
  const tracer = (catalog: PriceCatalog) => new BasicTracerProvider({ spanProcessors: [new GenAICostSpanProcessor({ catalog })] }).getTracer('bench');
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini',
    'gen_ai.usage.input_tokens': 1200,
    'gen_ai.usage.output_tokens': 300,
  };
  const [withSmall, withBundled] = [tracer(small), tracer(bundled)];
  const span = (t: typeof withSmall) => () => t.startSpan('chat', { kind: SpanKind.CLIENT, attributes }).end();
  const variants = { 'one-model catalog': span(withSmall), 'bundled catalog': span(withBundled) };
  interleaved(3, 20_000, variants);
  const ns = interleaved(15, 20_000, variants);
  console.log(
    `catalog    processor per GenAI span with the bundled catalog: ${(ns['bundled catalog']! / 1000).toFixed(3)} µs, ` +
      `${(ns['bundled catalog']! / ns['one-model catalog']!).toFixed(2)}× the same processor with a one-model catalog (${(ns['one-model catalog']! / 1000).toFixed(3)} µs)`,
  );
}
