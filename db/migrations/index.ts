import { Initial1764115200000 } from './0001-initial';
import { ProcessStats1795651200000 } from './0002-process-stats';
import { SafetyRails1797033600000 } from './0005-safety-rails';

/** Every migration, in order. Listed explicitly so the same list works from TypeScript and from dist/. */
export const migrations = [Initial1764115200000, ProcessStats1795651200000, SafetyRails1797033600000];
