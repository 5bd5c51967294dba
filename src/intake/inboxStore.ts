import { courseKey } from '../domain/types';
import type { Queryable } from '../store/queryable';
import type { Notification } from './parseNotification';

/**
 * The durable inbox: a notification is ours once its row is committed, and only then is the AMQP
 * message acknowledged. The unique notification id makes a redelivery or a duplicate a no-op.
 */

export type StoreOutcome = 'stored' | 'duplicate';

export async function storeNotification(db: Queryable, n: Notification, routingKey: string): Promise<StoreOutcome> {
  const a = n.action;
  const ignored = a.kind === 'ignored';
  const rows = await db.query(
    `INSERT INTO inbox (notification_id, format, routing_key, body, state, action, person_id, semester, course_id,
       course_version,
                        operation, subject, error, processed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, CASE WHEN $5 = 'ignored' THEN now() END)
     ON CONFLICT (notification_id) DO NOTHING
     RETURNING id`,
    [
      n.id,
      n.format,
      printable(routingKey, 255),
      JSON.stringify(n.body),
      // An ignored notification needs no planning: it is recorded as handled straight away.
      ignored ? 'ignored' : 'pending',
      a.kind,
      a.kind === 'person' ? a.personId : null,
      a.kind === 'course' ? a.course.semester : null,
      a.kind === 'course' ? a.course.courseId : null,
      a.kind === 'course' ? a.course.version : null,
      n.operation,
      n.subject,
      ignored ? a.reason : null,
    ],
  );
  return rows.length > 0 ? 'stored' : 'duplicate';
}

/** A TP course change queued by hand (`kada enqueue-course`), exactly as if TP had sent it. */
export async function storeManualCourseChange(
  db: Queryable,
  notificationId: string,
  course: { courseId: string; version: string; semester: string },
): Promise<{ inboxId: string; receivedAt: Date }> {
  const subject = `courses/${course.courseId},${course.version}/${course.semester}`;
  const body = {
    sub: subject,
    iss: 'kada-cli',
    operation: 'update',
    jti: notificationId,
    course_id: course.courseId,
    course_version: course.version,
    semester: course.semester,
  };
  const rows = await db.query(
    `INSERT INTO inbox (notification_id, format, routing_key, body, action, semester, course_id, course_version,
       operation, subject)
     VALUES ($1, 'tp', $2, $3, 'course', $4, $5, $6, 'update', $7)
     RETURNING id, received_at`,
    [
      notificationId,
      `manual.${courseKey(course)}`,
      JSON.stringify(body),
      course.semester,
      course.courseId,
      course.version,
      subject,
    ],
  );
  return { inboxId: String(rows[0].id), receivedAt: rows[0].received_at };
}

/** PostgreSQL text cannot hold NUL; routing keys are arbitrary bytes on the wire. */
export function printable(s: string, max: number): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, max);
}
