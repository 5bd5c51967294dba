import { z } from 'zod';
import type { RoomMapping } from '../store/rooms';

/**
 * The room mapping file of `kada rooms import` (rooms-ics.md): a header `tp_room_id,mailbox`, then one
 * room per line. Every line is checked before anything changes; further columns (the names
 * `kada rooms suggest` prints beside its guesses) are ignored. Pure.
 */
export type RoomCsvResult = { ok: true; mapping: RoomMapping[] } | { ok: false; problems: string[] };

const address = z.email();

/** One CSV field: surrounding spaces dropped, a double-quoted field unquoted. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

export function parseRoomCsv(text: string): RoomCsvResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: string[] = [];
  const mapping: RoomMapping[] = [];
  const rooms = new Map<string, number>();
  const mailboxes = new Map<string, number>();
  let header = false;
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (!raw.trim()) return;
    const [roomId = '', mailbox = ''] = fields(raw);
    if (!header) {
      header = true;
      if (roomId.toLowerCase() !== 'tp_room_id' || mailbox.toLowerCase() !== 'mailbox')
        problems.push(`line ${n}: the header must be tp_room_id,mailbox`);
      return;
    }
    const problem = lineProblem(roomId, mailbox, rooms.get(roomId), mailboxes.get(mailbox.toLowerCase()));
    if (problem) {
      problems.push(`line ${n}: ${problem}`);
      return;
    }
    rooms.set(roomId, n);
    mailboxes.set(mailbox.toLowerCase(), n);
    mapping.push({ roomId, mailbox });
  });
  if (!header) problems.push('the file is empty (expected the header tp_room_id,mailbox)');
  return problems.length ? { ok: false, problems } : { ok: true, mapping };
}

function lineProblem(roomId: string, mailbox: string, roomLine?: number, mailboxLine?: number): string | null {
  if (!roomId || !mailbox) return 'needs both tp_room_id and mailbox';
  if (!address.safeParse(mailbox).success) return `${JSON.stringify(mailbox)} is not a valid e-mail address`;
  if (roomLine) return `room ${roomId} is mapped already on line ${roomLine}`;
  if (mailboxLine) return `mailbox ${mailbox} is used already on line ${mailboxLine}`;
  return null;
}

/** A CSV field as written: quoted when it holds a comma, a quote or a line break. */
export const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
