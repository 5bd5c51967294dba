import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SourceEmulator } from '../../testkit/sources/sourceEmulator';
import { getSourceJson, safeUrl, SourceError } from '../../src/sources/http';
import { FAST_RETRY, FS_KEY, startSources, TP_KEY } from './fixture';

let emulator: SourceEmulator;
let courseUrl: string;

beforeAll(async () => {
  ({ emulator } = await startSources());
  courseUrl = `${emulator.tpBaseUrl}/ws/1.4/course.php?id=IN1000&version=1&sem=26h&lang=nb`;
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.setFaults({});
  emulator.resetStats();
});

const tp = (retry = FAST_RETRY) => ({ source: 'tp' as const, apiKey: TP_KEY, retry });

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('getSourceJson', () => {
  it('recovers from a burst of 500s', async () => {
    emulator.setFaults({ tp: { status: 500, count: 3 } });
    const res = await getSourceJson(courseUrl, tp());
    expect(res.status).toBe(200);
    expect(emulator.stats().byRoute['tp.course']).toBe(4);
  });

  it('ends a persistent 500 in SOURCE_UNAVAILABLE after the configured attempts, without the key', async () => {
    emulator.setFaults({ tp: { status: 500 } });
    const err = await failure(
      getSourceJson(courseUrl, { ...tp(), context: { course: { courseId: 'IN1000', version: '1', semester: '26h' } } }),
    );
    expect(err).toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
      status: 500,
      source: 'tp',
      course: { courseId: 'IN1000' },
    });
    expect(err.url).toBe(courseUrl);
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(TP_KEY);
    expect(emulator.stats().byRoute['tp.course']).toBe(FAST_RETRY.attempts);
  });

  it('retries 429 and gives up at once when Retry-After is longer than it may wait', async () => {
    emulator.setFaults({ tp: { status: 429, count: 1, retryAfterSeconds: 0 } });
    expect((await getSourceJson(courseUrl, tp())).status).toBe(200);
    emulator.resetStats();
    emulator.setFaults({ tp: { status: 429, retryAfterSeconds: 120 } });
    const err = await failure(getSourceJson(courseUrl, tp({ ...FAST_RETRY, maxRetryAfterMs: 1_000 })));
    expect(err).toMatchObject({ code: 'SOURCE_UNAVAILABLE', status: 429, retryAfterMs: 120_000 });
    expect(emulator.stats().total).toBe(1);
  });

  it('treats a timeout as transient: retried, then an error with no status', async () => {
    emulator.setFaults({ tp: { delayMs: 1_000, count: 1 } });
    const quick = { ...FAST_RETRY, timeoutMs: 100 };
    expect((await getSourceJson(courseUrl, tp(quick))).status).toBe(200);
    emulator.setFaults({ tp: { delayMs: 1_000 } });
    const err = await failure(getSourceJson(courseUrl, tp({ ...quick, attempts: 2 })));
    expect(err).toMatchObject({ code: 'SOURCE_UNAVAILABLE', status: null });
    expect(err.message).toMatch(/timed out/);
  });

  it('reports an unreachable source as SOURCE_UNAVAILABLE', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const err = await failure(getSourceJson(`http://127.0.0.1:${port}/x`, tp({ ...FAST_RETRY, attempts: 2 })));
    expect(err).toMatchObject({ code: 'SOURCE_UNAVAILABLE', status: null });
  });

  it('does not retry a rejected key, and returns 404 to the caller', async () => {
    const err = await failure(getSourceJson(courseUrl, { source: 'tp', apiKey: FS_KEY, retry: FAST_RETRY }));
    expect(err).toMatchObject({ code: 'SOURCE_UNAUTHORIZED', status: 401 });
    expect(err.message).not.toContain(FS_KEY);
    expect(emulator.stats().total).toBe(1);
    const missing = await getSourceJson(courseUrl.replace('IN1000', 'NOPE1000'), tp());
    expect(missing).toEqual({ status: 404 });
  });

  it.each(['text', 'json', 'html'] as const)(
    'retries a gateway 404 (%s) and ends it in SOURCE_UNAVAILABLE',
    async (form) => {
      emulator.setFaults({ tp: { gateway: form, count: 2 } });
      expect((await getSourceJson(courseUrl, tp())).status).toBe(200);
      emulator.setFaults({ tp: { gateway: form } });
      const err = await failure(getSourceJson(courseUrl.replace('IN1000', 'NOPE1000'), tp()));
      expect(err).toMatchObject({ code: 'SOURCE_UNAVAILABLE', status: 404 });
      expect(err.message).toMatch(/gateway/);
    },
  );

  it('treats 502, 503 and 504 as transient', async () => {
    for (const status of [502, 503, 504]) {
      emulator.setFaults({ tp: { status, count: 1 } });
      expect((await getSourceJson(courseUrl, tp())).status).toBe(200);
    }
  });

  it('calls a 200 with a body that is not JSON an invalid response, not a retry', async () => {
    emulator.setFaults({ tpMalformed: 'json' });
    const err = await failure(getSourceJson(courseUrl, tp()));
    expect(err).toMatchObject({ code: 'SOURCE_INVALID_RESPONSE', status: 200 });
    expect(emulator.stats().total).toBe(1);
  });
});

describe('safeUrl', () => {
  it('strips credentials from URLs', () => {
    expect(safeUrl('https://user:pw@fs.example/personer?api_key=abc&brukernavn=ola')).toBe(
      'https://fs.example/personer?api_key=redacted&brukernavn=ola',
    );
  });
});
