/** How a failure is written on a job, in the CLI and in logs: `[CODE] message`. */
export function describeError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = e && (typeof e.code === 'string' || typeof e.code === 'number') ? `[${e.code}] ` : '';
  const message = e && typeof e.message === 'string' ? e.message : String(err);
  return `${code}${message}`;
}
