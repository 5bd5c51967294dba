import { generateInstitution, type Institution } from '../../testkit/institution/institution';
import { startSourceEmulator, type SourceEmulator } from '../../testkit/sources/sourceEmulator';
import type { RetryOptions } from '../../src/sources/http';

export const TP_KEY = 'tp-test-key-0123456789';
export const FS_KEY = 'fs-test-key-9876543210';

/** Retries that finish in milliseconds, so fault tests stay short. */
export const FAST_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 };

export async function startSources(
  opts: { seed?: number; students?: number; pageSize?: number; semesters?: string[] } = {},
): Promise<{
  institution: Institution;
  emulator: SourceEmulator;
}> {
  const institution = generateInstitution({
    seed: opts.seed ?? 7,
    students: opts.students ?? 120,
    semesters: opts.semesters ?? ['26h'],
  });
  const emulator = await startSourceEmulator({
    institution,
    tpApiKey: TP_KEY,
    fsApiKey: FS_KEY,
    pageSize: opts.pageSize,
  });
  return { institution, emulator };
}
