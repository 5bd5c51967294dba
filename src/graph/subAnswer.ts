import { errorOf, type GraphWrite, type GraphWriteResult, header, okResult } from './graphWrite';
import { retryAfterMs } from '../domain/retryAfter';
import { mailboxProblem } from './mailboxErrors';
import { classify } from './retryPolicy';

/** One sub-response of a `$batch` answer, as Graph sends it. */
export interface SubResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What the writer does with one write after its chain came back. */
export type SubAnswer =
  | { kind: 'done'; result: GraphWriteResult; refused: boolean }
  /** Never ran because an earlier link of the chain failed: not this write's fault, run it again at once. */
  | { kind: 'dependency' }
  | { kind: 'throttled'; retryAfter: number | null }
  | { kind: 'transient'; retryAfter: number | null; code: string; message: string };

/** Pure: the decision for one write from its sub-response (absent: the batch did not answer for it). */
export function subAnswer(op: GraphWrite, method: string, r: SubResponse | undefined, now: number): SubAnswer {
  const status = r?.status ?? 0;
  // Not about the event: a DELETE's 404 here must not count as "already gone", nor a PATCH's as "re-create it".
  if (r && mailboxProblem(status, errorOf(r.body).code))
    return { kind: 'done', result: { ok: false, status, ...errorOf(r.body), gone: false }, refused: true };
  // A delete is a POST (permanentDelete) but means what DELETE means: an event already gone is deleted.
  const outcome = classify(status, op.kind === 'delete' ? 'DELETE' : method);
  switch (outcome) {
    case 'ok':
      return { kind: 'done', result: okResult(op, status, r?.body), refused: false };
    case 'dependency':
      return { kind: 'dependency' };
    case 'throttled':
      return { kind: 'throttled', retryAfter: retryAfterMs(header(r?.headers, 'retry-after'), now) };
    case 'transient':
      return {
        kind: 'transient',
        retryAfter: retryAfterMs(header(r?.headers, 'retry-after'), now),
        ...errorOf(r?.body),
      };
    case 'gone':
    case 'permanent': {
      const result = { ok: false as const, status, ...errorOf(r?.body), gone: outcome === 'gone' };
      return { kind: 'done', result, refused: outcome === 'permanent' };
    }
  }
}
