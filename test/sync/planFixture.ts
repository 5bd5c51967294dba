import type { FsPerson } from '../../src/domain/types';
import type { StoredEvent } from '../../src/store/syncedEvents';
import type { PlanSettings } from '../../src/sync/planPerson';

/** The person, course and settings the pure planner tests share (planPerson, nearTermFirst). */

export const COURSE = { courseId: 'IN1000', version: '1', semester: '26h' };
export const SETTINGS: PlanSettings = {
  institution: 'uio',
  language: 'nb',
  calendar: { mode: 'primary', name: 'Timeplan' },
  mailbox: { from: 'epost' },
};
export const MAILBOX = 'kari@uio.no';
export const KARI: FsPerson = {
  personId: '1001',
  firstName: 'Kari',
  lastName: 'Nordmann',
  username: 'kari',
  email: MAILBOX,
};

export const key = (id: string) => `tp:26h:IN1000,1:${id}`;
export const stored = (id: string, hash = 'h1', mailbox = MAILBOX): StoredEvent => ({
  key: key(id),
  graphEventId: `g-${id}`,
  hash,
  mailbox,
  course: COURSE,
});
