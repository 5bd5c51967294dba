import { z } from 'zod';

/** What the admin API accepts from URLs; bounded so a request cannot make kada do unbounded work. */

// Fastify has already URL-decoded path parameters; these bounds apply to the decoded text.
const personQuery = z
  .string()
  .trim()
  .min(1, 'is empty')
  .max(254, 'is longer than 254 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'contains control characters');

export const personParams = z.object({ person: personQuery });

export const jobParams = z.object({ jobId: z.string().max(40) });

export const errorsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  person: personQuery.optional(),
  kind: z.enum(['data', 'source', 'graph', 'person', 'dead_letter', 'ignored', 'job']).optional(),
});

export const searchQuery = z.object({
  q: z.string().trim().min(1, 'is empty').max(254),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const diffQuery = z.object({
  /** `store`: compare with what kada recorded (fast); `graph`: with what the calendar really holds. */
  against: z.enum(['store', 'graph']).default('store'),
});

export const auditQuery = z.object({
  /** personlopenummer, username, e-mail, or the keyed hash (`p:...`) a forgotten person's entries keep. */
  person: personQuery.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
