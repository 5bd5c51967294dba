import type { ContentSettings, TpEvent, TpRoom, TpStaff } from '../domain/types';
import { coursePageUrl } from './coursePage';
import { escapeHtml } from './html';
import { isVideoRoom, roomName } from './location';
import { safeHttpUrl } from './safeUrl';
import { textsFor, type Texts } from './texts';

export const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
export const para = (html: string) => `<p>${html}</p>`;
export const labelled = (label: string, html: string) => para(`${escapeHtml(label)}: ${html}`);

export function staffName(staff: TpStaff): string {
  const full = [staff.firstname, staff.lastname]
    .map((s) => (s ?? '').trim())
    .filter(Boolean)
    .join(' ');
  return full || (staff.shortname ?? '').trim();
}

export function staffHtml(staff: TpStaff): string {
  const name = staffName(staff);
  const url = safeHttpUrl(staff.url);
  return url ? link(url, name) : escapeHtml(name);
}

function roomHtml(room: TpRoom, t: Texts): string {
  const video = isVideoRoom(room);
  const name = (video ? room.roomname?.trim() || t.digital : roomName(room)) || t.digital;
  const url = safeHttpUrl(room.roomurl);
  return url ? `${escapeHtml(name)} (${link(url, video ? t.videoLink : t.map)})` : escapeHtml(name);
}

/**
 * The HTML body: what a student needs to find the session (method, teachers, rooms with map
 * links, the course page) and why editing it is pointless. Every TP string is escaped and every
 * TP URL must be http(s); planners' free text is not trusted markup.
 */
export function body(event: TpEvent, courseName: string, settings: ContentSettings): string {
  const t = textsFor(settings.language);
  const parts: string[] = [];
  if (event.cancelled) parts.push(para(`<strong>${escapeHtml(t.cancelledNotice)}</strong>`));
  parts.push(labelled(t.course, escapeHtml([event.courseid, courseName.trim()].filter(Boolean).join(' '))));
  const method = (event.teachingMethodName || event.teachingMethod).trim();
  if (method) parts.push(labelled(t.teachingMethod, escapeHtml(method)));
  const summary = event.summary.trim();
  if (summary && summary !== event.title.trim()) parts.push(labelled(t.topic, escapeHtml(summary)));
  const staffs = event.staffs.filter((s) => staffName(s));
  if (staffs.length > 0) parts.push(labelled(t.lecturers, staffs.map(staffHtml).join(', ')));
  const rooms = event.rooms.length > 0 ? event.rooms.map((r) => roomHtml(r, t)).join('<br>') : escapeHtml(t.digital);
  parts.push(labelled(t.rooms, rooms));
  parts.push(para(link(coursePageUrl(settings.institution, event.courseid), `${t.coursePage} ${event.courseid}`)));
  parts.push(para(`<em>${escapeHtml(t.maintained)}</em>`));
  return parts.join('\n');
}
