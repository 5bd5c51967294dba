import pino, { type Logger } from 'pino';

/**
 * The one logger. JSON lines; each stage adds its ids with `child({personId, jobId, notificationId})`.
 * Secret values are replaced wherever they appear in a message or field, as a last line of defence:
 * code should never log them in the first place.
 */
export type { Logger };

export function createLogger(
  opts: { level?: string; secrets?: string[]; name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 6);
  const scrub = (s: string) => secrets.reduce((acc, sec) => acc.split(sec).join('[redacted]'), s);
  return pino(
    {
      name: opts.name ?? 'kada',
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(secrets.length ? { hooks: { streamWrite: (line: string) => scrub(line) } } : {}),
      redact: {
        paths: [
          '*.apiKey',
          '*.clientSecret',
          '*.password',
          '*.token',
          'headers.authorization',
          '*.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    opts.destination,
  );
}

/** A logger that writes nothing, for pure tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
