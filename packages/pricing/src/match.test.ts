import { describe, expect, it } from 'vitest';
import { canonicalProvider, modelNameCandidates, providerFromPath, regionClass, regionOfModel } from './match.js';

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
      ['us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
    ],
    ['claude-3-5-sonnet-v2@20241022', ['claude-3-5-sonnet-v2@20241022', 'claude-3-5-sonnet-v2', 'claude-3-5-sonnet']],
    ['gemini-1.5-pro-002', ['gemini-1.5-pro-002', 'gemini-1.5-pro']],
    ['command-r-plus-08-2024', ['command-r-plus-08-2024', 'command-r-plus']],
    ['mistral-large-latest', ['mistral-large-latest', 'mistral-large']],
    ['gpt-4-0613', ['gpt-4-0613', 'gpt-4']],
    ['  Models/Gemini-2.0-Flash-001 ', ['models/gemini-2.0-flash-001', 'gemini-2.0-flash-001', 'gemini-2.0-flash']],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      [
        'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        'anthropic.claude-sonnet-4-5-20250929-v1:0',
        'claude-sonnet-4-5-20250929',
        'claude-sonnet-4-5',
      ],
    ],
    [
      'projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929',
      ['projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929', 'claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ],
    ['meta-llama/llama-3.3-70b-instruct:free', ['meta-llama/llama-3.3-70b-instruct:free', 'llama-3.3-70b-instruct:free']],
    ['anthropic/claude-sonnet-4.5:nitro', ['anthropic/claude-sonnet-4.5:nitro', 'anthropic/claude-sonnet-4.5', 'claude-sonnet-4.5']],
    ['gpt-35-turbo-0613', ['gpt-35-turbo-0613', 'gpt-3.5-turbo-0613', 'gpt-3.5-turbo']],
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
    ['azure.ai.openai', 'azure'],
    ['azure.ai.inference', 'azure-ai'],
    ['openai.responses', 'openai'],
    ['google.vertex.chat', 'vertex'],
    ['amazon-bedrock', 'bedrock'],
    ['groq', 'groq'],
    ['together_ai', 'together'],
    ['fireworks.chat', 'fireworks'],
    ['Anthropic', 'anthropic'],
    ['anthropic.messages', 'anthropic'],
    ['openai.chat', 'openai'],
    ['gcp.vertex_ai', 'vertex'],
    ['gcp.gemini', 'google'],
    ['x_ai', 'xai'],
    ['mistral_ai', 'mistral'],
    ['aws.bedrock', 'bedrock'],
    ['some.unknown.system', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (raw, expected) => {
    expect(canonicalProvider(raw)).toBe(expected);
  });
});

describe('providerFromPath', () => {
  it.each([
    ['groq/llama-3.3-70b-versatile', 'groq'],
    ['bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0', 'bedrock'],
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', 'bedrock'],
    ['projects/p/locations/global/publishers/google/models/gemini-2.5-pro', 'vertex'],
    ['meta-llama/llama-3.3-70b-instruct', undefined],
    ['gpt-4o', undefined],
  ])('%s → %s', (raw, expected) => {
    expect(providerFromPath(raw)).toBe(expected);
  });
});

describe('regionOfModel and regionClass', () => {
  it.each([
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'geo'],
    ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 'geo'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'global'],
    ['us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0', 'us-gov'],
    ['arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0', 'us-gov'],
    ['bedrock/us-gov-east-1/anthropic.claude-sonnet-4-5-20250929-v1:0', 'us-gov'],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'in-region'],
    ['claude-sonnet-4-5', undefined],
    ['gpt-4o', undefined],
  ])('the model id %s names region class %s', (raw, expected) => {
    expect(regionOfModel(raw)).toBe(expected);
  });

  it.each([
    ['us-gov-west-1', 'us-gov'],
    ['DataZone-Standard', 'data-zone'],
    ['data_zone', 'data-zone'],
    ['US', 'us'],
    ['Global', 'global'],
  ])('the hint %s is region class %s', (hint, expected) => {
    expect(regionClass(hint)).toBe(expected);
  });
});
