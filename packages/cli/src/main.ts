import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseCommand } from './args.js';
import type { Command } from './args.js';
import { runDemo } from './commands/demo.js';
import { runMigrate } from './commands/migrate.js';
import { runPrices } from './commands/prices.js';
import { runReprice } from './commands/reprice.js';
import { runReport } from './commands/report.js';
import { runServe } from './commands/serve.js';
import { runSuggestCaps } from './commands/suggestCaps.js';
import { runUsersImport } from './commands/users.js';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';
import { COMMAND_USAGE, MAIN_USAGE, VERSION } from './usage.js';

/**
 * Standard output as the commands see it. A reader that stops early (`genai-cost report | head`)
 * must end the run quietly, as SIGPIPE ends other command-line tools; Node ignores that signal and
 * reports EPIPE on the stream instead. Exiting there and then could cut chDB short in a query, so
 * later output is dropped, `stop` is aborted (`demo --continuous` ends), and the command finishes.
 */
class ProcessOutput {
  /** Why output failed other than by a closed pipe; reported once the command is done. */
  failure: string | undefined;
  private closed = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    onClosed: () => void,
  ) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // Writes queued before the close fail too: only the first error says why.
      if (this.closed) return;
      this.closed = true;
      if (err.code !== 'EPIPE') this.failure = err.message;
      onClosed();
    });
  }

  write(text: string): void {
    if (!this.closed) this.stream.write(text);
  }
}

let output: ProcessOutput | undefined;

/**
 * The context of a real run: process streams, env and clock. SIGINT and SIGTERM are caught only
 * for `demo --continuous` and `serve`, which stop cleanly on them; every other command keeps the default.
 */
function processContext(stopOnSignals: boolean): CliContext {
  const controller = new AbortController();
  if (stopOnSignals) {
    const stop = (): void => controller.abort();
    // once: a second Ctrl-C gets the default behaviour and ends a stuck run.
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  output = new ProcessOutput(process.stdout, () => controller.abort());
  return {
    stdout: output,
    stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
    stop: controller.signal,
  };
}

function run(cmd: Command, ctx: CliContext): Promise<number> {
  switch (cmd.name) {
    case 'help':
      ctx.stdout.write(cmd.topic === undefined ? MAIN_USAGE : COMMAND_USAGE[cmd.topic]);
      return Promise.resolve(0);
    case 'version':
      ctx.stdout.write(`genai-cost ${VERSION}\n`);
      return Promise.resolve(0);
    case 'migrate':
      return runMigrate(cmd, ctx);
    case 'report':
      return runReport(cmd, ctx);
    case 'demo':
      return runDemo(cmd, ctx);
    case 'users':
      return runUsersImport(cmd, ctx);
    case 'suggest-caps':
      return runSuggestCaps(cmd, ctx);
    case 'serve':
      return runServe(cmd, ctx);
    case 'prices':
      return runPrices(cmd, ctx);
    case 'reprice':
      return runReprice(cmd, ctx);
  }
}

/** Runs the CLI on `argv` (without `node` and the script) and resolves to the exit status. */
export async function main(argv: string[], context?: CliContext): Promise<number> {
  const errors = context?.stderr ?? process.stderr;
  if (argv.length === 0) {
    errors.write(MAIN_USAGE);
    return 2;
  }
  try {
    const cmd = parseCommand(argv, context?.now() ?? Date.now());
    const ctx = context ?? processContext((cmd.name === 'demo' && cmd.continuous) || cmd.name === 'serve');
    const code = await run(cmd, ctx);
    if (output?.failure !== undefined) {
      errors.write(`genai-cost: cannot write the output: ${output.failure}\n`);
      return 1;
    }
    return code;
  } catch (err) {
    if (err instanceof CliError) {
      errors.write(`${err.message}\n`);
      return err.exitCode;
    }
    errors.write(`genai-cost: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

function isEntryModule(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryModule()) process.exitCode = await main(process.argv.slice(2));
