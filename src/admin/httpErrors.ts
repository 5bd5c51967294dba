import type { z } from 'zod';

/**
 * The admin API's error answers: `{"error": <stable code>, "message": <human text>}`. Messages are
 * written here, never copied from an exception, so no secret or stack trace reaches a client.
 */
export class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
    this.name = 'AdminHttpError';
  }
}

export const notFound = (message: string) => new AdminHttpError(404, 'not_found', message);

/** Validates one piece of request input; a failure is a 400 naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : what;
  throw new AdminHttpError(400, 'bad_request', `invalid ${field}: ${issue?.message ?? 'not accepted'}`);
}
