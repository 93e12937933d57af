/**
 * Model-name matching: the forms in which a model id arrives on spans, reduced step by step to
 * the canonical ids of the catalog. Every function here is pure.
 */

/** Cloud region prefixes of Bedrock cross-region inference profiles (`us.anthropic.claude-…`). */
const BEDROCK_REGION = /^(?:us|eu|apac|ap|global|us-gov|jp|au|ca)\./;
/** Vendor prefixes of Bedrock model ids (`anthropic.claude-…`, `mistral.mistral-large-…`). */
const BEDROCK_VENDOR = /^(?:anthropic|mistral|cohere|deepseek|openai|meta|amazon|ai21|writer|qwen)\./;
/** Bedrock version suffixes (`-v1:0`, `-v2:0`, `:0`). */
const BEDROCK_VERSION = /(?:-v\d+)?:\d+$/;
/** Vertex AI Anthropic snapshots (`claude-sonnet-4-5@20250929`). */
const AT_SNAPSHOT = /@[\w.-]+$/;
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

/**
 * The names to look a model up by, most specific first: the raw id lowercased, then without a
 * path prefix (`openai/`, `publishers/google/models/`), without Bedrock region, vendor and version
 * parts, and finally without dated-snapshot suffixes, one at a time.
 */
export function modelNameCandidates(raw: string): string[] {
  const out: string[] = [];
  let name = raw.trim().toLowerCase();
  pushUnique(out, name);

  const slash = name.lastIndexOf('/');
  if (slash >= 0) {
    name = name.slice(slash + 1);
    pushUnique(out, name);
  }

  const cloud = name
    .replace(BEDROCK_REGION, '')
    .replace(BEDROCK_VENDOR, '')
    .replace(BEDROCK_VERSION, '')
    .replace(AT_SNAPSHOT, '');
  if (cloud !== name) {
    name = cloud;
    pushUnique(out, name);
  }

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

const PROVIDER_ALIASES: Record<string, string> = {
  openai: 'openai',
  'azure.ai.openai': 'openai',
  azure: 'openai',
  anthropic: 'anthropic',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  gemini: 'google',
  google: 'google',
  vertex_ai: 'google',
  'vertex-ai': 'google',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  mistral: 'mistral',
  cohere: 'cohere',
  deepseek: 'deepseek',
  x_ai: 'xai',
  xai: 'xai',
  'x-ai': 'xai',
  grok: 'xai',
};

/**
 * The catalog provider id for a provider name as spans carry it (`gen_ai.provider.name`,
 * `gen_ai.system`, `llm.provider`, the AI SDK's `anthropic.messages`), or undefined when unknown.
 * Hosting clouds such as `aws.bedrock` name no model vendor and give undefined.
 */
export function canonicalProvider(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const lower = raw.toLowerCase();
  const direct = PROVIDER_ALIASES[lower];
  if (direct !== undefined) return direct;
  const dot = lower.indexOf('.');
  return dot > 0 ? PROVIDER_ALIASES[lower.slice(0, dot)] : undefined;
}
