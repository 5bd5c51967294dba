import { Initial1764115200000 } from './0001-initial';
import { ProcessStats1795651200000 } from './0002-process-stats';
import { CategoryDenied1796860800000 } from './0003-category-denied';
import { EventGenerations1796947200000 } from './0004-event-generations';
import { SafetyRails1797033600000 } from './0005-safety-rails';
import { PersonGoneAt1797120000000 } from './0006-person-gone-at';
import { GraphBudget1797206400000 } from './0007-graph-budget';
import { Audit1797379200000 } from './0009-audit';
import { ReconcileOutcome1797465600000 } from './0010-reconcile-outcome';
import { RoomCalendars1797552000000 } from './0011-room-calendars';
import { IcsFeeds1797638400000 } from './0012-ics-feeds';
import { AdminSessions1797724800000 } from './0013-admin-sessions';
import { JobPriority1797811200000 } from './0014-job-priority';

/** Every migration, in order. Listed explicitly so the same list works from TypeScript and from dist/. */
export const migrations = [
  Initial1764115200000,
  ProcessStats1795651200000,
  CategoryDenied1796860800000,
  EventGenerations1796947200000,
  SafetyRails1797033600000,
  PersonGoneAt1797120000000,
  GraphBudget1797206400000,
  Audit1797379200000,
  ReconcileOutcome1797465600000,
  RoomCalendars1797552000000,
  IcsFeeds1797638400000,
  AdminSessions1797724800000,
  JobPriority1797811200000,
];
