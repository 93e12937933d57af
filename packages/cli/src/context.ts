import type { Env } from './connect.js';

/** A stream the CLI writes text to. */
export interface TextSink {
  write(text: string): void;
}

/** Everything a command may take from the process, passed in by the composition root (`main`). */
export interface CliContext {
  stdout: TextSink;
  /** Errors and progress; `isTTY` decides between a redrawn progress bar and plain lines. */
  stderr: TextSink & { isTTY: boolean };
  env: Env;
  /** Where the plan file is looked for. */
  cwd: string;
  /** Epoch ms; the end of default report windows and of the demo's history. */
  now(): number;
  /** Aborted on SIGINT or SIGTERM: `demo --continuous` then flushes and exits 0. */
  stop: AbortSignal;
}
