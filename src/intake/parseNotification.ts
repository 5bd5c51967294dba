import type { z } from 'zod';
import { isSemesterCode } from '../domain/semester';
import type { CourseRef } from '../domain/types';
import {
  CLOUDEVENT_OPERATION,
  cloudEventSchema,
  COURSE_CODE_PATTERN,
  COURSE_VERSION_PATTERN,
  jwtClaimSchema,
  MAX_NOTIFICATION_BYTES,
  personIdSchema,
  type CloudEventNotification,
  type JwtClaimNotification,
} from './notificationSchemas';

/**
 * Turns one AMQP message into what kada should do about it, following shared/contracts/intark.md.
 * Pure: no clock, no I/O. A rejected message is dead-lettered by the consumer with `code`/`reason`.
 */

export type NotificationFormat = 'fs' | 'tp' | 'cloudevent';

export type NotificationAction =
  | { kind: 'person'; personId: string }
  | { kind: 'course'; course: CourseRef }
  /** `code` is a stable, low-cardinality label for metrics; `reason` is for the admin. */
  | { kind: 'ignored'; code: string; reason: string };

export interface Notification {
  /** `jti`, or the CloudEvents `id`. */
  id: string;
  format: NotificationFormat;
  action: NotificationAction;
  operation: string;
  subject: string;
  /** The parsed JSON body, stored as-is in the inbox. */
  body: Record<string, unknown>;
}

export type NotificationErrorCode =
  | 'NOTIFICATION_TOO_LARGE'
  | 'NOTIFICATION_EMPTY'
  | 'NOTIFICATION_INVALID_ENCODING'
  | 'NOTIFICATION_INVALID_JSON'
  | 'NOTIFICATION_NOT_AN_OBJECT'
  | 'NOTIFICATION_INVALID_TEXT'
  | 'NOTIFICATION_UNKNOWN_FORMAT'
  | 'NOTIFICATION_INVALID_ID'
  | 'NOTIFICATION_INVALID'
  | 'NOTIFICATION_INVALID_SUBJECT'
  | 'NOTIFICATION_MISSING_PERSON'
  | 'NOTIFICATION_INCONSISTENT';

export interface ParseFailure {
  ok: false;
  code: NotificationErrorCode;
  reason: string;
}

export type ParseResult = { ok: true; notification: Notification } | ParseFailure;

/** FS resources whose messages name the person to rebuild in `person_id`. */
const PERSON_SCOPED_RESOURCES = new Set(['undervisningsmeldinger', 'gruppemedlemskap', 'personroller']);

const COURSE_SUBJECT = /^courses\/([^,/]+)(?:,([^/]+))?\/([^/]+)$/;
/** `no.<inst>.fs.FS-prod.personer.update`: the system is the third segment. */
const ROUTING_KEY_SYSTEM = /^no\.[^.]+\.(fs|tp)\./i;

const fail = (code: NotificationErrorCode, reason: string): ParseFailure => ({ ok: false, code, reason });

export function parseNotification(routingKey: string, body: Buffer): ParseResult {
  if (body.length > MAX_NOTIFICATION_BYTES) {
    return fail('NOTIFICATION_TOO_LARGE', `body is ${body.length} bytes; the limit is ${MAX_NOTIFICATION_BYTES}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return fail('NOTIFICATION_INVALID_ENCODING', 'body is not valid UTF-8');
  }
  if (text.trim() === '') return fail('NOTIFICATION_EMPTY', 'body is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail('NOTIFICATION_INVALID_JSON', `body is not JSON: ${(err as Error).message.slice(0, 120)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(
      'NOTIFICATION_NOT_AN_OBJECT',
      `body is JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object`,
    );
  }
  // PostgreSQL's jsonb cannot store NUL or unpaired surrogates: such a body could never be recorded.
  const badText = findUnstorableText(value);
  if (badText) return fail('NOTIFICATION_INVALID_TEXT', badText);
  const obj = value as Record<string, unknown>;

  if (Object.hasOwn(obj, 'specversion')) return parseCloudEvent(obj);
  if (Object.hasOwn(obj, 'jti') || Object.hasOwn(obj, 'sub')) {
    const system = jwtSystem(routingKey, obj);
    if (!system) {
      return fail(
        'NOTIFICATION_UNKNOWN_FORMAT',
        'JWT-claim body, but neither the routing key, iss nor sub says whether it is from FS or TP',
      );
    }
    return parseJwtClaim(system, routingKey, obj);
  }
  return fail(
    'NOTIFICATION_UNKNOWN_FORMAT',
    'body is neither a JWT-claim notification (jti, sub) nor a CloudEvent (specversion)',
  );
}

function parseJwtClaim(system: 'fs' | 'tp', routingKey: string, obj: Record<string, unknown>): ParseResult {
  const parsed = jwtClaimSchema.safeParse(obj);
  if (!parsed.success) return schemaFailure(parsed.error, 'jti');
  const claims = parsed.data;
  const operation = claims.operation ?? routingKeyOperation(routingKey) ?? 'unknown';
  const base = { id: claims.jti, format: system, operation, subject: claims.sub, body: obj } as const;
  const action = system === 'tp' ? tpAction(claims) : fsAction(claims.sub, claims.person_id);
  return action.ok ? { ok: true, notification: { ...base, action: action.action } } : action;
}

function parseCloudEvent(obj: Record<string, unknown>): ParseResult {
  const parsed = cloudEventSchema.safeParse(obj);
  if (!parsed.success) return schemaFailure(parsed.error, 'id');
  const ce: CloudEventNotification = parsed.data;
  const operation = CLOUDEVENT_OPERATION.exec(ce.type)![1]!;
  const base = { id: ce.id, format: 'cloudevent', operation, subject: ce.subject ?? '', body: obj } as const;
  const personId = ce.data?.person_id;
  let action: ActionResult;
  if (ce.subject === undefined) {
    action = personId
      ? { ok: true, action: { kind: 'person', personId } }
      : {
          ok: true,
          action: { kind: 'ignored', code: 'no_subject', reason: 'CloudEvent without subject or data.person_id' },
        };
  } else if (ce.subject.startsWith('courses/')) {
    action = courseAction(ce.subject);
  } else {
    action = fsAction(ce.subject, personId);
  }
  return action.ok ? { ok: true, notification: { ...base, action: action.action } } : action;
}

type ActionResult = { ok: true; action: NotificationAction } | ParseFailure;

function tpAction(claims: JwtClaimNotification): ActionResult {
  if (!claims.sub.startsWith('courses/')) {
    return {
      ok: true,
      action: {
        kind: 'ignored',
        code: 'tp_resource_not_used',
        reason: `TP resource ${resourceOf(claims.sub)} is not used by kada`,
      },
    };
  }
  const result = courseAction(claims.sub);
  if (!result.ok || result.action.kind !== 'course') return result;
  const c = result.action.course;
  // The body repeats the course; a body that contradicts its own subject cannot be trusted either way.
  const mismatch =
    (claims.course_id !== undefined && claims.course_id !== c.courseId && 'course_id') ||
    (claims.course_version !== undefined && claims.course_version !== c.version && 'course_version') ||
    (claims.semester !== undefined && claims.semester.toLowerCase() !== c.semester && 'semester');
  if (mismatch)
    return fail(
      'NOTIFICATION_INCONSISTENT',
      `${mismatch} ${JSON.stringify(claims[mismatch])} contradicts sub ${JSON.stringify(claims.sub)}`,
    );
  return result;
}

/** `courses/IN1000,1/26h` (version defaults to 1, as in TP). */
function courseAction(subject: string): ActionResult {
  const m = COURSE_SUBJECT.exec(subject);
  if (!m)
    return fail(
      'NOTIFICATION_INVALID_SUBJECT',
      `${JSON.stringify(subject)} is not courses/<courseid>,<version>/<semester>`,
    );
  const [, courseId, version = '1', semesterRaw] = m;
  const semester = semesterRaw!.toLowerCase();
  if (!COURSE_CODE_PATTERN.test(courseId!))
    return fail('NOTIFICATION_INVALID_SUBJECT', `course id ${JSON.stringify(courseId)} is not a course code`);
  if (!COURSE_VERSION_PATTERN.test(version))
    return fail('NOTIFICATION_INVALID_SUBJECT', `course version ${JSON.stringify(version)} is not a version`);
  if (!isSemesterCode(semester)) {
    return fail(
      'NOTIFICATION_INVALID_SUBJECT',
      `semester ${JSON.stringify(semesterRaw)} is not a TP semester code such as 26h`,
    );
  }
  return { ok: true, action: { kind: 'course', course: { courseId: courseId!, version, semester } } };
}

/** The FS rules of intark.md; also used for CloudEvents, whose subject has the same forms. */
function fsAction(subject: string, personId: string | undefined): ActionResult {
  const slash = subject.indexOf('/');
  if (slash <= 0 || slash === subject.length - 1) {
    return fail('NOTIFICATION_INVALID_SUBJECT', `${JSON.stringify(subject)} is not <resource>/<id>`);
  }
  const resource = subject.slice(0, slash);
  if (resource === 'personer') {
    const last = subject.slice(subject.lastIndexOf('/') + 1);
    const id = personIdSchema.safeParse(last);
    if (!id.success)
      return fail(
        'NOTIFICATION_INVALID_SUBJECT',
        `${JSON.stringify(last)} in ${JSON.stringify(subject)} is not a personlopenummer`,
      );
    if (personId !== undefined && personId !== id.data) {
      return fail('NOTIFICATION_INCONSISTENT', `person_id ${personId} contradicts subject ${JSON.stringify(subject)}`);
    }
    return { ok: true, action: { kind: 'person', personId: id.data } };
  }
  if (personId !== undefined) return { ok: true, action: { kind: 'person', personId } };
  if (PERSON_SCOPED_RESOURCES.has(resource)) {
    return fail('NOTIFICATION_MISSING_PERSON', `${resource} notification without person_id`);
  }
  return {
    ok: true,
    action: { kind: 'ignored', code: 'fs_resource_not_used', reason: `FS resource ${resource} is not used by kada` },
  };
}

function jwtSystem(routingKey: string, obj: Record<string, unknown>): 'fs' | 'tp' | null {
  const fromKey = ROUTING_KEY_SYSTEM.exec(routingKey)?.[1];
  if (fromKey) return fromKey.toLowerCase() as 'fs' | 'tp';
  const iss = typeof obj.iss === 'string' ? /^(FS|TP)-/i.exec(obj.iss)?.[1] : undefined;
  if (iss) return iss.toLowerCase() as 'fs' | 'tp';
  if (typeof obj.sub === 'string') {
    if (obj.sub.startsWith('courses/')) return 'tp';
    if (obj.sub.startsWith('personer/') || PERSON_SCOPED_RESOURCES.has(resourceOf(obj.sub))) return 'fs';
  }
  return null;
}

function routingKeyOperation(routingKey: string): string | undefined {
  const last = routingKey.slice(routingKey.lastIndexOf('.') + 1);
  return /^[a-z][a-z_-]{0,39}$/.test(last) ? last : undefined;
}

const resourceOf = (subject: string) => subject.split('/')[0] ?? '';

function schemaFailure(error: z.ZodError, idField: string): ParseResult {
  const issue = error.issues[0]!;
  const path = issue.path.join('.') || 'body';
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  // Our own messages read as a sentence after the field name ("jti is empty"); zod's do not.
  const what = missing ? 'is missing' : /^[A-Z]/.test(issue.message) ? `: ${issue.message}` : issue.message;
  return fail(
    issue.path[0] === idField ? 'NOTIFICATION_INVALID_ID' : 'NOTIFICATION_INVALID',
    `${path}${what.startsWith(':') ? '' : ' '}${what}`,
  );
}

/** Why PostgreSQL's jsonb would refuse this value (or why it is absurd), if it would. */
function findUnstorableText(value: unknown, path = 'body', depth = 0): string | null {
  if (depth > MAX_DEPTH) return `${path} is nested deeper than ${MAX_DEPTH} levels`;
  if (typeof value === 'string')
    return isStorable(value) ? null : `${path} contains a NUL character or an unpaired surrogate`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findUnstorableText(value[i], `${path}[${i}]`, depth + 1);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (!isStorable(k)) return `a key in ${path} contains a NUL character or an unpaired surrogate`;
      const bad = findUnstorableText(v, `${path}.${k}`, depth + 1);
      if (bad) return bad;
    }
  }
  return null;
}

const MAX_DEPTH = 32;

function isStorable(s: string): boolean {
  return !/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}
