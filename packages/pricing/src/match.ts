/**
 * Model-name matching: the forms in which a model id arrives on spans, reduced step by step to
 * the canonical ids of the catalog, and the provider and cloud region a name or span carries.
 * Every function here is pure.
 */

/** Vendor prefixes of Bedrock model ids (`anthropic.claude-…`, `mistral.mistral-large-…`). */
const BEDROCK_VENDOR = /^(?:anthropic|mistral|cohere|deepseek|openai|meta|amazon|ai21|writer|qwen|moonshot|moonshotai|minimax|zai|google|nvidia|twelvelabs|stability|luma)\./;
/** Region prefixes of Bedrock cross-region inference profiles (`us.anthropic.claude-…`). */
const BEDROCK_PROFILE = /^(global|us-gov|us|eu|apac|ap|jp|au|ca)\.(?=[a-z0-9-]+\.)/;
/** Bedrock version suffixes (`-v1:0`, `-v2:0`, `:0`). */
const BEDROCK_VERSION = /(?:-v\d+)?:\d+$/;
/** Vertex AI snapshots (`claude-sonnet-4-5@20250929`). */
const AT_SNAPSHOT = /@[\w.-]+$/;
/** OpenRouter routing variants priced like the model itself; `:free` is a model of its own. */
const ROUTING_VARIANT = /:(?:nitro|floor)$/;
/** Dated snapshots and numbered revisions, most specific form first. */
const SNAPSHOT_SUFFIXES = [
  /-\d{4}-\d{2}-\d{2}$/, // gpt-4o-2024-08-06
  /-\d{8}$/, // claude-sonnet-4-5-20250929
  /-\d{2}-\d{4}$/, // command-r-08-2024
  /-\d{4}$/, // gpt-4-0613, mistral-large-2411, grok-2-1212
  /-\d{3}$/, // gemini-1.5-pro-002
  /-latest$/, // claude-3-5-sonnet-latest, mistral-large-latest
  /-v\d+$/, // claude-3-5-sonnet-v2 (after a Bedrock or Vertex suffix is gone)
];

function pushUnique(out: string[], s: string): void {
  if (s.length > 0 && !out.includes(s)) out.push(s);
}

/** The model part of an ARN or path: `arn:…:inference-profile/us.anthropic.…`, `publishers/google/models/gemini…`. */
function lastSegment(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash >= 0 ? name.slice(slash + 1) : name;
}

/**
 * The names to look a model up by, most specific first: the raw id lowercased; without a path
 * or ARN prefix (`openai/`, `publishers/google/models/`, `arn:aws:bedrock:…/`); without a
 * Bedrock inference-profile region (`us.`); without Bedrock vendor and version parts or a Vertex
 * `@snapshot`; Azure's `gpt-35` spelt `gpt-3.5`; finally without dated-snapshot suffixes, one
 * at a time. OpenRouter `vendor/model` ids keep their first form, so a router's own entry matches.
 */
export function modelNameCandidates(raw: string): string[] {
  const out: string[] = [];
  let name = raw.trim().toLowerCase();
  pushUnique(out, name);
  if (ROUTING_VARIANT.test(name)) pushUnique(out, (name = name.replace(ROUTING_VARIANT, '')));

  const last = lastSegment(name);
  if (last !== name) pushUnique(out, (name = last));

  if (BEDROCK_PROFILE.test(name)) pushUnique(out, (name = name.replace(BEDROCK_PROFILE, '')));

  const cloud = name.replace(BEDROCK_VENDOR, '').replace(BEDROCK_VERSION, '').replace(AT_SNAPSHOT, '');
  if (cloud !== name) pushUnique(out, (name = cloud));

  if (name.startsWith('gpt-35')) pushUnique(out, (name = `gpt-3.5${name.slice(6)}`));

  // Fine-tuned ids (`ft:gpt-4o-mini-2024-07-18:org::id`) are priced differently from their base
  // model, so they are never reduced to it; a user price can name them.
  if (name.startsWith('ft:')) return out;

  let changed = true;
  while (changed) {
    changed = false;
    for (const suffix of SNAPSHOT_SUFFIXES) {
      const next = name.replace(suffix, '');
      if (next !== name && next.length > 0) {
        name = next;
        pushUnique(out, name);
        changed = true;
        break;
      }
    }
  }
  return out;
}

/** Provider spellings spans carry (`gen_ai.provider.name`, `gen_ai.system`, AI SDK ids) → catalog provider id. */
const PROVIDER_ALIASES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'azure.ai.openai': 'azure',
  azure: 'azure',
  azure_openai: 'azure',
  'azure-openai': 'azure',
  'azure.ai.inference': 'azure-ai',
  azure_ai: 'azure-ai',
  'azure-ai': 'azure-ai',
  'gcp.gemini': 'google',
  'gcp.gen_ai': 'google',
  gemini: 'google',
  google: 'google',
  'google.generative-ai': 'google',
  google_genai: 'google',
  'gcp.vertex_ai': 'vertex',
  vertex_ai: 'vertex',
  'vertex-ai': 'vertex',
  vertex: 'vertex',
  vertexai: 'vertex',
  'google.vertex': 'vertex',
  'aws.bedrock': 'bedrock',
  bedrock: 'bedrock',
  bedrock_converse: 'bedrock',
  'amazon-bedrock': 'bedrock',
  aws_bedrock: 'bedrock',
  aws: 'bedrock',
  groq: 'groq',
  together: 'together',
  together_ai: 'together',
  togetherai: 'together',
  'together.ai': 'together',
  fireworks: 'fireworks',
  fireworks_ai: 'fireworks',
  'fireworks-ai': 'fireworks',
  openrouter: 'openrouter',
  cerebras: 'cerebras',
  deepinfra: 'deepinfra',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  mistral: 'mistral',
  cohere: 'cohere',
  deepseek: 'deepseek',
  x_ai: 'xai',
  xai: 'xai',
  'x-ai': 'xai',
  grok: 'xai',
  perplexity: 'perplexity',
  pplx: 'perplexity',
  voyage: 'voyage',
  voyageai: 'voyage',
  moonshot: 'moonshot',
  moonshotai: 'moonshot',
  kimi: 'moonshot',
  minimax: 'minimax',
  zai: 'zai',
  'z.ai': 'zai',
  zhipuai: 'zhipu',
  zhipu: 'zhipu',
  dashscope: 'dashscope',
  alibaba: 'dashscope',
  qwen: 'dashscope',
  novita: 'novita',
  nebius: 'nebius',
  sambanova: 'sambanova',
  hyperbolic: 'hyperbolic',
  nscale: 'nscale',
  ovhcloud: 'ovhcloud',
  ai21: 'ai21',
  lambda: 'lambda',
  lambda_ai: 'lambda',
  huggingface: 'huggingface',
};

/**
 * The catalog provider id for a provider name as spans carry it (`gen_ai.provider.name`,
 * `gen_ai.system`, `llm.provider`, the AI SDK's `anthropic.messages` or `google.vertex.chat`),
 * or undefined when unknown. Clouds and hosts keep their own id (`aws.bedrock` → `bedrock`,
 * `azure.ai.openai` → `azure`, `gcp.vertex_ai` → `vertex`): they bill by their own price lists.
 */
export function canonicalProvider(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let key = raw.trim().toLowerCase();
  for (;;) {
    const direct = PROVIDER_ALIASES[key];
    if (direct !== undefined) return direct;
    const dot = key.lastIndexOf('.');
    if (dot <= 0) return undefined;
    key = key.slice(0, dot);
  }
}

/**
 * The provider a model name's path names: LiteLLM-style `groq/llama-3.3-70b-versatile`,
 * `bedrock/us-gov-west-1/…`, a Vertex resource name (`…/publishers/google/models/…`) or a
 * Bedrock ARN; undefined when the name has no such prefix.
 */
export function providerFromPath(raw: string): string | undefined {
  const name = raw.trim().toLowerCase();
  if (name.startsWith('arn:aws')) return 'bedrock';
  if (name.includes('publishers/')) return 'vertex';
  const slash = name.indexOf('/');
  return slash > 0 ? canonicalProvider(name.slice(0, slash)) : undefined;
}

const GEO_PROFILES = new Set(['us', 'eu', 'apac', 'ap', 'jp', 'au', 'ca']);

/**
 * The region class a model name carries, for region-dependent prices: a Bedrock inference
 * profile's `global.` (`global`), `us-gov.` or a GovCloud ARN or path (`us-gov`), a geographic
 * profile `us.` / `eu.` / `apac.` / … (`geo`), or a plain Bedrock model id invoked in one region
 * (`in-region`); undefined for names of other platforms.
 */
export function regionOfModel(raw: string): string | undefined {
  const name = raw.trim().toLowerCase();
  if (name.startsWith('arn:aws-us-gov:') || /(?:^|[/:])us-gov-[a-z]+-\d(?:[/:]|$)/.test(name)) return 'us-gov';
  const model = lastSegment(name);
  const profile = BEDROCK_PROFILE.exec(model);
  if (profile !== null) return profile[1] === 'global' || profile[1] === 'us-gov' ? profile[1] : GEO_PROFILES.has(profile[1]!) ? 'geo' : undefined;
  return BEDROCK_VENDOR.test(model) ? 'in-region' : undefined;
}

/**
 * A region hint as an application or span gives it, as a region class: an AWS or Azure region
 * name (`us-gov-west-1` → `us-gov`), Anthropic's `inference_geo` (`us`, `global`), or an Azure
 * deployment type (`DataZone-Standard` → `data-zone`). Other values are lowercased as they are.
 */
export function regionClass(hint: string): string {
  const h = hint.trim().toLowerCase();
  if (h.startsWith('us-gov')) return 'us-gov';
  if (h.replace(/[-_ ]/g, '').startsWith('datazone')) return 'data-zone';
  if (h.startsWith('global')) return 'global';
  return h;
}
