import type { Random } from '../institution/institutionRandom';

/**
 * Fault injection for the source emulator: the ways TP and FS misbehave in production
 * (5xx bursts, 429 with Retry-After, hangs, paging loops, garbage bodies).
 */

export interface FaultSpec {
  /** Status to answer with; without it an affected request is only delayed, then answered normally. */
  status?: number;
  /** Affect only the next `count` matching requests. */
  count?: number;
  /** Affect each matching request with this probability (0..1). */
  rate?: number;
  /** Wait this long before answering an affected request (longer than the client's timeout = a timeout). */
  delayMs?: number;
  /** Sent as `Retry-After` with the status. */
  retryAfterSeconds?: number;
  /** Only requests whose path and query contain this text, e.g. `/personroller` or `id=IN1000`. */
  match?: string;
  /**
   * Answer like the API gateway instead of the API (status 404 unless `status` says otherwise): a Gravitee
   * gateway's `No context-path matches the request URI.` as `text` or as JSON `message` (`json`), or an
   * HTML error page (`html`), as when an API is undeployed or misrouted.
   */
  gateway?: 'text' | 'json' | 'html';
}

export interface SourceFaults {
  tp?: FaultSpec;
  fs?: FaultSpec;
  /** The last page of every FS list points back at the first instead of ending. */
  fsPagingLoop?: boolean;
  /**
   * `events`: TP adds malformed events (missing eventid, unparsable time, dtend before dtstart,
   * duplicate eventid, not an object) and an unknown field to the valid ones;
   * `envelope`: the response is JSON of the wrong shape; `json`: 200 with an HTML body.
   */
  tpMalformed?: 'events' | 'envelope' | 'json';
  /** `envelope`: FS lists are not lists; `json`: 200 with an HTML body. */
  fsMalformed?: 'envelope' | 'json';
}

export interface FaultPlan {
  fsPagingLoop: boolean;
  tpMalformed?: SourceFaults['tpMalformed'];
  fsMalformed?: SourceFaults['fsMalformed'];
  /** The fault for this request, if any (consumes one of `count`). */
  take(system: 'tp' | 'fs', pathAndQuery: string): FaultSpec | null;
}

export function createFaultPlan(faults: SourceFaults, random: Random): FaultPlan {
  const remaining = { tp: faults.tp?.count, fs: faults.fs?.count };
  return {
    fsPagingLoop: faults.fsPagingLoop ?? false,
    tpMalformed: faults.tpMalformed,
    fsMalformed: faults.fsMalformed,
    take(system, pathAndQuery) {
      const spec = faults[system];
      if (!spec) return null;
      if (spec.match !== undefined && !decodeURIComponent(pathAndQuery).includes(spec.match)) return null;
      const left = remaining[system];
      if (left !== undefined) {
        if (left <= 0) return null;
        remaining[system] = left - 1;
        return spec;
      }
      if (spec.rate !== undefined) return random.next() < spec.rate ? spec : null;
      return spec;
    },
  };
}

/** The gateway's own answer in the form of `FaultSpec.gateway`: body and content type. */
export function gatewayNotFound(form: NonNullable<FaultSpec['gateway']>): { body: string; contentType: string } {
  const message = 'No context-path matches the request URI.';
  if (form === 'json') {
    return { body: JSON.stringify({ message, http_status_code: 404 }), contentType: 'application/json' };
  }
  if (form === 'html') return { body: '<html><body><h1>404 Not Found</h1></body></html>', contentType: 'text/html' };
  return { body: message, contentType: 'text/plain' };
}

/** A TP body in one of the broken shapes of `tpMalformed`. */
export function malformedTpBody(kind: NonNullable<SourceFaults['tpMalformed']>, body: unknown): string {
  if (kind === 'json') return '<html><body>502 Bad Gateway</body></html>';
  if (kind === 'envelope') return JSON.stringify({ courseid: 42, events: { not: 'a list' } });
  const envelope = body as { events: Record<string, unknown>[] };
  const events: unknown[] = envelope.events.map((e) => ({
    ...e,
    lastchanged: '2026-06-01T12:00:00+02',
    editurl: 'https://example.org/edit',
  }));
  const first = envelope.events[0];
  if (first) {
    const { eventid: _dropped, ...withoutId } = first;
    events.push(
      withoutId,
      { ...first, eventid: `${String(first.eventid)}-BADTIME`, dtstart: 'next tuesday' },
      { ...first, eventid: `${String(first.eventid)}-BACKWARDS`, dtstart: first.dtend, dtend: first.dtstart },
      { ...first, summary: 'duplicate' },
      'not an event',
    );
  }
  return JSON.stringify({ ...envelope, events });
}
