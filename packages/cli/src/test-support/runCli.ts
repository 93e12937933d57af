import { main } from '../main.js';

/** What one in-process run of the CLI printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `main` in this process with captured output, the given env and working directory. */
export async function runCli(
  argv: string[],
  options: { env: Record<string, string | undefined>; cwd: string; stop?: AbortSignal },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text) => void (stdout += text) },
    stderr: { write: (text) => void (stderr += text), isTTY: false },
    env: options.env,
    cwd: options.cwd,
    now: Date.now,
    stop: options.stop ?? new AbortController().signal,
  });
  return { code, stdout, stderr };
}
