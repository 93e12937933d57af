/** Exit status of the CLI: 2 for a bad flag or plan file (the user must fix their input), 1 for a failure at run time. */
export type ExitCode = 1 | 2;

/** An error the CLI reports as one line on stderr, with the exit status it maps to. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad flag or argument: exit status 2. */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}

/** An invalid or unreadable plan file: exit status 2. */
export function configError(message: string, cause?: unknown): CliError {
  return new CliError(message, 2, { cause });
}
