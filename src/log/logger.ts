import pino, { type Logger } from 'pino';
import { pseudonymiseLine } from './personalData';
import { logKeyFrom } from './pseudonym';

/**
 * The one logger. JSON lines; each stage adds its ids with `child({personId, jobId, notificationId})`.
 * Lines at info and above name no person: personal fields become keyed hashes or are dropped
 * (personalData.ts), so code may log `personId` and `mailbox` freely; debug lines keep them.
 * Secret values are replaced wherever they appear in a message or field, as a last line of defence:
 * code should never log them in the first place.
 */
export type { Logger };

export function createLogger(
  opts: {
    level?: string;
    secrets?: string[];
    name?: string;
    destination?: pino.DestinationStream;
    /** Key of the person pseudonyms (config.logKey); derived from the environment when absent. */
    pseudonymKey?: string;
  } = {},
): Logger {
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 6);
  const scrub = (s: string) => secrets.reduce((acc, sec) => acc.split(sec).join('[redacted]'), s);
  const key = opts.pseudonymKey ?? logKeyFrom(process.env);
  const name = opts.name ?? 'kada';
  return pino(
    {
      name,
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: (line: string) => scrub(pseudonymiseLine(line, key, name)) },
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
