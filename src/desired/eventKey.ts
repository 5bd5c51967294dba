import type { CourseRef } from '../domain/types';

/**
 * The stable sync key of one TP occurrence, stored in the KEY marker (graph.md):
 * `tp:<sem>:<course>,<version>:<eventid>`.
 */
export function eventKey(course: CourseRef, eventid: string): string {
  return `tp:${course.semester}:${course.courseId},${course.version}:${eventid}`;
}

/** The key of a TP occurrence in a room mailbox (rooms-ics.md): `tp-room:<sem>:<course>,<version>:<eventid>`. */
export function roomEventKey(course: CourseRef, eventid: string): string {
  return `tp-room:${course.semester}:${course.courseId},${course.version}:${eventid}`;
}

const KEY = /^tp(?:-room)?:([^:]+):([^:]+),([^:,]+):([\s\S]+)$/;

/** Inverse of eventKey and roomEventKey; null for anything kada did not write (e.g. a marker edited by hand). */
export function parseEventKey(key: string): { course: CourseRef; eventid: string } | null {
  const m = KEY.exec(key);
  if (!m) return null;
  const [, semester, courseId, version, eventid] = m as unknown as [string, string, string, string, string];
  return { course: { courseId, version, semester }, eventid };
}
