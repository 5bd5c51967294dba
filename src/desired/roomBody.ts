import type { ContentSettings, TpEvent } from '../domain/types';
import { escapeHtml } from './html';
import { labelled, para, staffHtml, staffName } from './body';
import { textsFor } from './texts';

/**
 * The HTML body of a room's booking (rooms-ics.md): course, teaching method, lecturers and the line
 * that the entry is maintained automatically. Whoever opens the room's calendar wants to know who
 * holds the room, not where it is or the course page; TP text is escaped as in a person's body.
 */
export function roomBody(event: TpEvent, courseName: string, settings: ContentSettings): string {
  const t = textsFor(settings.language);
  const parts: string[] = [
    labelled(t.course, escapeHtml([event.courseid, courseName.trim()].filter(Boolean).join(' '))),
  ];
  const method = (event.teachingMethodName || event.teachingMethod).trim();
  if (method) parts.push(labelled(t.teachingMethod, escapeHtml(method)));
  const staffs = event.staffs.filter((s) => staffName(s));
  if (staffs.length > 0) parts.push(labelled(t.lecturers, staffs.map(staffHtml).join(', ')));
  parts.push(para(`<em>${escapeHtml(t.maintained)}</em>`));
  return parts.join('\n');
}
