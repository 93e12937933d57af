import type { DiagLogger } from '@opentelemetry/api';

/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the receiver writes what it does, one structured record at a time. */
export interface ReceiverLogger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger writing one JSON object per line (`time`, `level`, `msg`, then the fields) at `minLevel` and above. */
export function jsonLogger(write: (line: string) => void, minLevel: LogLevel = 'info'): ReceiverLogger {
  return {
    log(level, message, fields) {
      if (RANK[level] < RANK[minLevel]) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
    },
  };
}

/** A DiagLogger that sends OpenTelemetry's diagnostics (the processor's warnings included) to `logger`. */
export function diagLogger(logger: ReceiverLogger): DiagLogger {
  const at =
    (level: LogLevel) =>
    (message: string, ...args: unknown[]): void =>
      logger.log(level, message, args.length === 0 ? undefined : { details: args.map((a) => (a instanceof Error ? a.message : a)) });
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), verbose: at('debug') };
}
