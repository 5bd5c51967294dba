import { z } from 'zod';

/** Free text that sources leave out or send as null as often as ''; all three mean empty. */
export const text = z
  .string()
  .nullish()
  .transform((v) => v ?? '');

/** The first problem zod found, as `<path>: <message>`, for error messages and data-error reasons. */
export function describeIssue(error: z.ZodError, whole: string): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || whole}: ${issue.message}` : `${whole}: invalid`;
}
