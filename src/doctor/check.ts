/**
 * One line of `kada doctor`: what was checked, whether it passed, and what to do when it did not.
 * Only required checks decide the exit code; an optional one (the category colour) only informs.
 */
export interface CheckLine {
  check: string;
  ok: boolean;
  required: boolean;
  detail: string;
  /** What the operator should do; set on every failed line. */
  fix?: string;
}

export const pass = (check: string, detail: string, required = true): CheckLine => ({
  check,
  ok: true,
  required,
  detail,
});

export const fail = (check: string, detail: string, fix: string, required = true): CheckLine => ({
  check,
  ok: false,
  required,
  detail,
  fix,
});

/** A check that threw instead of answering is a failed line, never a crashed doctor. */
export async function guarded(
  check: string,
  fix: string,
  run: () => Promise<CheckLine | CheckLine[]>,
): Promise<CheckLine[]> {
  try {
    const out = await run();
    return Array.isArray(out) ? out : [out];
  } catch (err) {
    return [fail(check, errorText(err), fix)];
  }
}

export function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return errorText(err.errors[0]);
  const e = err as { message?: string; code?: string };
  const text = e?.message || e?.code || String(err);
  return text.split(/\r?\n/)[0]!.slice(0, 400);
}
