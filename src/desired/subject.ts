import type { Language, TpEvent } from '../domain/types';
import { textsFor } from './texts';

/** Subjects are plain text; newlines and runs of spaces in TP fields would look broken in Outlook. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * `<courseid> <teaching-title>`, then ` – <summary>` when the planner wrote a topic that is not just
 * the title again; cancelled occurrences are prefixed so they stand out instead of disappearing.
 */
export function subject(event: TpEvent, language: Language): string {
  const title = oneLine(event.title);
  const summary = oneLine(event.summary);
  let text = [oneLine(event.courseid), title].filter(Boolean).join(' ');
  if (summary && summary !== title) text += ` – ${summary}`;
  return event.cancelled ? `${textsFor(language).cancelledPrefix}${text}` : text;
}
