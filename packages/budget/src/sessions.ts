import type { LoopInfo } from './types.js';

/** A step that is a model call, not a tool call, in a session's recent steps. */
const MODEL_STEP = '';

/** One session: its spend, who it belongs to, and its recent steps for loop detection. */
export interface SessionState {
  /** Spend in units of 1e-10 USD. */
  units: number;
  userId: string | undefined;
  tier: string | undefined;
  /** Whether `onExceeded` fired for the session's budget. */
  exceeded: boolean;
  /** The last `withinSteps` steps, a ring: `name\0argumentsHash` for tool calls, '' for model calls. */
  steps: string[] | undefined;
  next: number;
  /** The repeated call while the window holds it `repeats` times or more. */
  loop: (LoopInfo & { key: string }) | undefined;
  /** Whether `onLoop` fired for the session. */
  looped: boolean;
}

/** The loop rule with its defaults applied. */
export interface LoopRule {
  repeats: number;
  withinSteps: number;
}

/** Sessions by id, the oldest forgotten past `maxSessions`. */
export class Sessions {
  readonly byId = new Map<string, SessionState>();

  constructor(
    private readonly maxSessions: number,
    private readonly rule: LoopRule,
  ) {}

  get(sessionId: string): SessionState | undefined {
    return this.byId.get(sessionId);
  }

  /** The session's state, created when new. */
  stateOf(sessionId: string): SessionState {
    let s = this.byId.get(sessionId);
    if (s === undefined) {
      if (this.byId.size >= this.maxSessions) this.byId.delete(this.byId.keys().next().value!);
      s = { units: 0, userId: undefined, tier: undefined, exceeded: false, steps: undefined, next: 0, loop: undefined, looped: false };
      this.byId.set(sessionId, s);
    }
    return s;
  }

  /** Adds a model call to the session's steps. */
  modelStep(s: SessionState): void {
    this.push(s, MODEL_STEP);
  }

  /**
   * Adds a tool call to the session's steps. Returns true when this call starts a loop: the
   * window now holds it `repeats` times while it held no loop before.
   */
  toolStep(s: SessionState, toolName: string, argumentsHash: string): boolean {
    const key = `${toolName}\u0000${argumentsHash}`;
    this.push(s, key);
    if (s.loop !== undefined) return false;
    const count = countOf(s.steps!, key);
    if (count < this.rule.repeats) return false;
    s.loop = { toolName, count, key };
    return true;
  }

  private push(s: SessionState, step: string): void {
    s.steps ??= new Array<string>(this.rule.withinSteps).fill(MODEL_STEP);
    // Model steps fill the fresh window: they can never make a loop.
    s.steps[s.next] = step;
    s.next = (s.next + 1) % this.rule.withinSteps;
    if (s.loop === undefined) return;
    // A loop lasts while the window still holds the repeated call often enough.
    const count = countOf(s.steps, s.loop.key);
    if (count >= this.rule.repeats) s.loop.count = count;
    else s.loop = undefined;
  }
}

function countOf(steps: readonly string[], key: string): number {
  let n = 0;
  for (const k of steps) if (k === key) n++;
  return n;
}

/**
 * A short hash of a tool call's arguments (FNV-1a, 52 bits, hex), so sessions keep no argument
 * text: two different arguments collide with odds around 2^-52 per pair.
 */
export function hashArguments(args: unknown): string {
  if (args === undefined || args === null) return '';
  const text = typeof args === 'string' ? args : JSON.stringify(args) ?? '';
  // Two 32-bit FNV-1a lanes with different offsets, combined; Math.imul keeps the products in 32 bits.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return ((a >>> 0) * 0x100000 + ((b >>> 12) & 0xfffff)).toString(16);
}
