import { describe, expect, it } from 'vitest';
import { BudgetGuard } from './BudgetGuard.js';
import { LoopDetectedError } from './errors.js';
import { hashArguments } from './sessions.js';
import type { BudgetEvent, LoopCrossing } from './types.js';

const PLAN = { tiers: { pro: { monthlyBudgetUsd: 50, action: 'block' as const } } };

function setup(loopGuard?: ConstructorParameters<typeof BudgetGuard>[0]['loopGuard']) {
  const loops: LoopCrossing[] = [];
  const events: BudgetEvent[] = [];
  const guard = new BudgetGuard({ plan: PLAN, loopGuard, onLoop: (l) => loops.push(l), eventSink: { record: (e) => events.push(e) } });
  const subject = (sessionId: string) => ({ userId: 'u1', tier: 'pro', sessionId });
  /** One model call of the agent: checked first, then recorded as the step it is. */
  const modelCall = (sessionId: string) => {
    guard.enforce(subject(sessionId));
    guard.recordSpend({ attribution: subject(sessionId), costUsd: 0.01, startTimeMs: Date.now() });
  };
  const tool = (sessionId: string, toolName: string, args: unknown) => guard.recordToolCall({ sessionId, toolName, arguments: args, userId: 'u1', tier: 'pro' });
  return { guard, loops, events, modelCall, tool, subject };
}

describe('loop guard', () => {
  it('stops a session calling the same tool three times in six steps before its fourth model call', () => {
    const { guard, loops, events, modelCall, tool, subject } = setup();
    const args = { query: 'weather in Paris' };
    const calls: string[] = [];
    for (let i = 1; i <= 4; i++) {
      try {
        modelCall('looping');
        calls.push(`model ${i}`);
      } catch (err) {
        expect(err).toBeInstanceOf(LoopDetectedError);
        expect(err).toMatchObject({ toolName: 'search', count: 3, sessionId: 'looping', status: 429 });
        expect((err as Error).message).toBe('Agent loop stopped: tool "search" called 3 times with the same arguments in the last 6 steps of session looping');
        calls.push(`stopped before model ${i}`);
        break;
      }
      tool('looping', 'search', args);
    }
    // Steps: model, search, model, search, model, search: the window of 6 holds search(Paris) 3 times.
    expect(calls).toEqual(['model 1', 'model 2', 'model 3', 'stopped before model 4']);
    expect(guard.check(subject('looping'))).toMatchObject({ state: 'loop', action: 'block', scope: 'session', loop: { toolName: 'search', count: 3 }, spentUsd: 0.03 });
    expect(loops).toEqual([{ sessionId: 'looping', userId: 'u1', tier: 'pro', toolName: 'search', count: 3, withinSteps: 6, timeMs: expect.any(Number) }]);
    expect(events[0]).toMatchObject({ state: 'loop', action: 'block', scope: 'session', sessionId: 'looping', toolName: 'search', toolCalls: 3, userId: 'u1', tier: 'pro' });
    tool('looping', 'search', args);
    expect(loops).toHaveLength(1);
    expect(guard.getStats().loopsDetected).toBe(1);
  });

  it('lets a session alternating two tools go on', () => {
    const { guard, loops, modelCall, tool, subject } = setup();
    // model, search, model, fetch, …: any six consecutive steps hold each tool call at most twice.
    for (let i = 0; i < 10; i++) {
      modelCall('alternating');
      tool('alternating', i % 2 === 0 ? 'search' : 'fetch', { q: 'x' });
    }
    expect(guard.check(subject('alternating'))).toMatchObject({ state: 'ok', action: 'allow' });
    expect(loops).toEqual([]);
  });

  it('tells calls apart by their arguments, and sessions apart', () => {
    const { guard, modelCall, tool, subject } = setup();
    for (let page = 1; page <= 4; page++) {
      modelCall('paging');
      tool('paging', 'read_page', { page });
      tool('other', 'read_page', { page: 1 });
    }
    expect(guard.check(subject('paging')).state).toBe('ok');
    // Session "other" called read_page(1) four times in a row with no model step between.
    expect(guard.check(subject('other'))).toMatchObject({ state: 'loop', loop: { count: 4 } });
  });

  it('answers dry-run when configured so, and ends the loop once the window moves past it', () => {
    const { guard, modelCall, tool, subject } = setup({ repeats: 2, withinSteps: 4, action: 'dry-run' });
    modelCall('s');
    tool('s', 'lookup', 'same');
    modelCall('s');
    tool('s', 'lookup', 'same');
    expect(guard.enforce(subject('s'))).toMatchObject({ state: 'loop', action: 'dry-run', loop: { toolName: 'lookup', count: 2 } });
    modelCall('s');
    modelCall('s');
    modelCall('s');
    // The window (4 steps) now holds lookup once.
    expect(guard.check(subject('s'))).toMatchObject({ state: 'ok' });
  });

  it('reports a budget block before a loop', () => {
    const { guard, tool } = setup();
    guard.recordSpend({ attribution: { userId: 'u1', tier: 'pro', sessionId: 's' }, costUsd: 50, startTimeMs: Date.now() });
    for (let i = 0; i < 3; i++) tool('s', 'search', 'a');
    expect(guard.check({ userId: 'u1', tier: 'pro', sessionId: 's' })).toMatchObject({ state: 'exceeded', scope: 'user', action: 'block' });
  });

  it('takes tool calls from the span processor listener, ignoring those without a session', () => {
    const { guard, loops } = setup();
    const listener = guard.toolCallListener();
    for (let i = 0; i < 3; i++) {
      listener({ attribution: { userId: 'u1', tier: 'pro', sessionId: 's' }, toolName: 'get_weather', arguments: '{"city":"Paris"}' });
      listener({ attribution: { userId: 'u1', tier: 'pro' }, toolName: 'get_weather', arguments: '{"city":"Paris"}' });
    }
    expect(loops).toEqual([expect.objectContaining({ sessionId: 's', toolName: 'get_weather', count: 3 })]);
    expect(guard.getStats().trackedSessions).toBe(1);
  });

  it('hashes arguments: text and the same value as JSON agree, different values differ', () => {
    expect(hashArguments('{"city":"Paris"}')).toBe(hashArguments({ city: 'Paris' }));
    expect(hashArguments({ city: 'Paris' })).not.toBe(hashArguments({ city: 'Pari' }));
    expect(hashArguments(undefined)).toBe('');
    expect(hashArguments('{"city":"Paris"}')).toMatch(/^[0-9a-f]{1,13}$/);
  });

  it('rejects a bad loop rule, naming the field', () => {
    expect(() => new BudgetGuard({ plan: PLAN, loopGuard: { repeats: 1 } })).toThrow(/"loopGuard.repeats": expected a whole number of calls ≥ 2/);
    expect(() => new BudgetGuard({ plan: PLAN, loopGuard: { repeats: 4, withinSteps: 3 } })).toThrow(/"loopGuard.withinSteps": expected at least as many steps as repeats/);
    expect(() => new BudgetGuard({ plan: PLAN, loopGuard: { action: 'degrade' as 'block' } })).toThrow(/"loopGuard.action": expected one of block, warn, dry-run/);
  });
});
