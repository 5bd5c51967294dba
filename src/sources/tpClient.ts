import type { TpSource } from '../domain/ports';
import type { Logger } from '../log/logger';
import { getSourceJson, SourceError, type RetryOptions } from './http';
import { describeIssue } from './schemaParts';
import { tpEnvelopeSchema, validateTpEvents } from './tpSchemas';

/** Reads one course's timetable from TP (shared/contracts/tp.md); the port sync uses. */
export type TpClient = TpSource;

export interface TpClientOptions {
  baseUrl: string;
  apiKey: string;
  retry?: RetryOptions;
  logger?: Logger;
  language?: 'nb' | 'nn' | 'en';
}

export function createTpClient(opts: TpClientOptions): TpClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  return {
    async getCourse(ref) {
      const q = new URLSearchParams({
        id: ref.courseId,
        version: ref.version,
        sem: ref.semester,
        lang: opts.language ?? 'nb',
      });
      const url = `${base}/ws/1.4/course.php?${q}`;
      const res = await getSourceJson(url, {
        source: 'tp',
        apiKey: opts.apiKey,
        retry: opts.retry,
        logger: opts.logger,
        context: { course: ref },
      });
      // 404 is TP's way of saying the course has no timetable this semester.
      if (res.status === 404) return { course: ref, courseName: '', events: [], rejected: [] };
      const envelope = tpEnvelopeSchema.safeParse(res.body);
      if (!envelope.success) {
        throw new SourceError({
          code: 'SOURCE_INVALID_RESPONSE',
          source: 'tp',
          message: `course response has an invalid ${describeIssue(envelope.error, 'body')}`,
          url,
          status: 200,
          context: { course: ref },
        });
      }
      return { course: ref, courseName: envelope.data.coursename, ...validateTpEvents(envelope.data.events, ref) };
    },
  };
}
