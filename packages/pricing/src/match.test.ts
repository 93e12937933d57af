import { describe, expect, it } from 'vitest';
import { canonicalProvider, modelNameCandidates } from './match.js';

describe('modelNameCandidates', () => {
  it.each([
    ['gpt-4o', ['gpt-4o']],
    ['GPT-4o-2024-08-06', ['gpt-4o-2024-08-06', 'gpt-4o']],
    ['claude-sonnet-4-5-20250929', ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5']],
    ['openai/gpt-4o', ['openai/gpt-4o', 'gpt-4o']],
    ['publishers/google/models/gemini-2.5-pro', ['publishers/google/models/gemini-2.5-pro', 'gemini-2.5-pro']],
    [
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'claude-3-5-sonnet-20240620', 'claude-3-5-sonnet'],
    ],
    [
      'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
      ['us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
    ],
    ['claude-3-5-sonnet-v2@20241022', ['claude-3-5-sonnet-v2@20241022', 'claude-3-5-sonnet-v2', 'claude-3-5-sonnet']],
    ['gemini-1.5-pro-002', ['gemini-1.5-pro-002', 'gemini-1.5-pro']],
    ['command-r-plus-08-2024', ['command-r-plus-08-2024', 'command-r-plus']],
    ['mistral-large-latest', ['mistral-large-latest', 'mistral-large']],
    ['gpt-4-0613', ['gpt-4-0613', 'gpt-4']],
    ['  Models/Gemini-2.0-Flash-001 ', ['models/gemini-2.0-flash-001', 'gemini-2.0-flash-001', 'gemini-2.0-flash']],
  ])('%s → %j', (raw, expected) => {
    expect(modelNameCandidates(raw)).toEqual(expected);
  });

  it('never reduces a fine-tuned model to its base model', () => {
    expect(modelNameCandidates('ft:gpt-4o-mini-2024-07-18:acme::abc123')).toEqual(['ft:gpt-4o-mini-2024-07-18:acme::abc123']);
  });
});

describe('canonicalProvider', () => {
  it.each([
    ['openai', 'openai'],
    ['azure.ai.openai', 'openai'],
    ['Anthropic', 'anthropic'],
    ['anthropic.messages', 'anthropic'],
    ['openai.chat', 'openai'],
    ['gcp.vertex_ai', 'google'],
    ['gcp.gemini', 'google'],
    ['x_ai', 'xai'],
    ['mistral_ai', 'mistral'],
    ['aws.bedrock', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (raw, expected) => {
    expect(canonicalProvider(raw)).toBe(expected);
  });
});
