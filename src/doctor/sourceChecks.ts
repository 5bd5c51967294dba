import type { Config } from '../config/config';
import { createFsClient } from '../sources/fsClient';
import { type RetryOptions, SourceError } from '../sources/http';
import { createTpClient } from '../sources/tpClient';
import { type CheckLine, errorText, fail, pass } from './check';

/** The doctor waits for an answer, but does not sit through a sync's whole retry policy. */
const RETRY: RetryOptions = { attempts: 2, baseDelayMs: 200, timeoutMs: 10_000 };

/**
 * One harmless read from TP: the timetable of a course that does not exist (TP answers 404 or an
 * empty course). What matters is that TP is reached and takes the API key.
 */
export async function checkTp(config: Config): Promise<CheckLine> {
  const tp = createTpClient({ baseUrl: config.tp.baseUrl, apiKey: config.tp.apiKey, retry: RETRY });
  try {
    await tp.getCourse({ courseId: 'KADA-DOCTOR', version: '1', semester: config.semesters[0]! });
    return pass('TP', `reached ${config.tp.baseUrl}, API key accepted`);
  } catch (err) {
    return sourceFailure('TP', 'TP_BASE_URL', 'TP_API_KEY', err);
  }
}

/** One harmless read from FS: a person number no one has (FS answers 404). */
export async function checkFs(config: Config): Promise<CheckLine> {
  const fs = createFsClient({ baseUrl: config.fs.baseUrl, apiKey: config.fs.apiKey, retry: RETRY });
  try {
    await fs.getPerson('0');
    return pass('FS', `reached ${config.fs.baseUrl}, API key accepted`);
  } catch (err) {
    return sourceFailure('FS', 'FS_BASE_URL', 'FS_API_KEY', err);
  }
}

function sourceFailure(name: string, urlVar: string, keyVar: string, err: unknown): CheckLine {
  if (!(err instanceof SourceError)) return fail(name, errorText(err), `check ${urlVar}`);
  switch (err.code) {
    case 'SOURCE_UNAUTHORIZED':
      return fail(name, `API key refused (${err.status})`, `check ${keyVar}: the API gateway does not accept it`);
    case 'SOURCE_UNAVAILABLE':
      return fail(
        name,
        `unreachable: ${err.message}`,
        `check ${urlVar} and that ${name} is up and reachable from here`,
      );
    default:
      return fail(
        name,
        `answered, but not as ${name} does: ${err.message}`,
        `check ${urlVar}: it must be ${name}'s API root (see ${name.toLowerCase()}.md)`,
      );
  }
}
