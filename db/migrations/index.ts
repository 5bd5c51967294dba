import { Initial1764115200000 } from './0001-initial';
import { ProcessStats1795651200000 } from './0002-process-stats';
import { CategoryDenied1796860800000 } from './0003-category-denied';
import { EventGenerations1796947200000 } from './0004-event-generations';
import { SafetyRails1797033600000 } from './0005-safety-rails';
import { PersonGoneAt1797120000000 } from './0006-person-gone-at';
import { JobPriority1797292800000 } from './0008-job-priority';

/** Every migration, in order. Listed explicitly so the same list works from TypeScript and from dist/. */
export const migrations = [
  Initial1764115200000,
  ProcessStats1795651200000,
  CategoryDenied1796860800000,
  EventGenerations1796947200000,
  SafetyRails1797033600000,
  PersonGoneAt1797120000000,
  JobPriority1797292800000,
];
