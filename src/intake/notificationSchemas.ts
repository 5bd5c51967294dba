import { z } from 'zod';

/**
 * The three IntArk notification shapes kada accepts (shared/contracts/intark.md). Unknown extra
 * fields are allowed (publishers add claims); the fields kada reads are checked strictly.
 */

/** A notification is a few hundred bytes; anything this big is a mistake or an attack. */
export const MAX_NOTIFICATION_BYTES = 64 * 1024;
export const MAX_NOTIFICATION_ID_LENGTH = 200;

/** Course codes (`IN1000`, `MAT-INF1100`) and versions as they appear in subjects and on the CLI. */
export const COURSE_CODE_PATTERN = /^[\p{L}\p{N}_.-]{1,40}$/u;
export const COURSE_VERSION_PATTERN = /^[\p{L}\p{N}_-]{1,20}$/u;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** `jti` or CloudEvents `id`: the key that makes a redelivered notification a no-op. */
export const notificationIdSchema = z
  .string()
  .min(1, 'is empty')
  .max(MAX_NOTIFICATION_ID_LENGTH, `is longer than ${MAX_NOTIFICATION_ID_LENGTH} characters`)
  .refine((s) => !CONTROL_CHARACTERS.test(s), 'contains control characters')
  .refine((s) => s.trim() === s && s.length > 0, 'has leading or trailing blanks');

/** personlopenummer: digits; FS sends it as a string, older endpoints as a number. */
export const personIdSchema = z.union(
  [
    z.string().regex(/^\d{1,20}$/, 'must be a personlopenummer (digits)'),
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).transform(String),
  ],
  { error: 'must be a personlopenummer (digits, as text or a whole number)' },
);

/** `<resource>/<id>[/...]`, printable, bounded. */
const subjectSchema = z
  .string()
  .min(1, 'is empty')
  .max(500, 'is longer than 500 characters')
  .refine((s) => !CONTROL_CHARACTERS.test(s), 'contains control characters');

const operationSchema = z.string().regex(/^[A-Za-z][A-Za-z_-]{0,39}$/, 'must be a word such as update');

const boundedText = (max: number) =>
  z
    .string()
    .max(max, `is longer than ${max} characters`)
    .refine((s) => !CONTROL_CHARACTERS.test(s), 'contains control characters');

/** FS and TP both publish JWT-claim style bodies; TP adds the course fields. */
export const jwtClaimSchema = z.object({
  jti: notificationIdSchema,
  sub: subjectSchema,
  iss: boundedText(200).optional(),
  iat: z
    .string()
    .regex(/^\d{1,16}$/, 'must be epoch milliseconds as a string')
    .optional(),
  operation: operationSchema.optional(),
  person_id: personIdSchema.optional(),
  course_id: boundedText(100).optional(),
  course_version: z
    .union([boundedText(40), z.number().int().nonnegative().transform(String)], {
      error: 'must be a version (text or a whole number)',
    })
    .optional(),
  semester: boundedText(10).optional(),
});
export type JwtClaimNotification = z.output<typeof jwtClaimSchema>;

export const CLOUDEVENT_OPERATION = /\.(create|update|delete)$/;

/** CloudEvents 1.0, structured JSON mode. */
export const cloudEventSchema = z.object({
  specversion: z.literal('1.0', { error: 'must be "1.0"' }),
  id: notificationIdSchema,
  source: boundedText(1000).min(1, 'is empty'),
  type: boundedText(300).regex(CLOUDEVENT_OPERATION, 'must end with .create, .update or .delete'),
  subject: subjectSchema.optional(),
  time: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp' }).optional(),
  datacontenttype: boundedText(200).optional(),
  data: z.object({ person_id: personIdSchema.optional() }).optional().nullable(),
});
export type CloudEventNotification = z.output<typeof cloudEventSchema>;
