import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransient } from '../../src/sync/errors';
import { loadConfig } from '../../src/config/config';
import { createTokenProvider, GraphAuthError } from '../../src/graph/auth';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../../testkit/graph/graphEmulator';
import { createGraphClient } from '../../src/graph/graphClient';
import { GraphWriter } from '../../src/graph/writer';

/**
 * What the token-endpoint storm of the chaos suite found: a job whose token request met a 500 from
 * the endpoint was failed for good, as if the credential were wrong. An outage must be retried like
 * any other; a refused secret must not.
 */

let ms: MicrosoftEmulator;
beforeAll(async () => {
  ms = await startMicrosoftEmulator({ latencyMs: 0 });
});
afterAll(async () => ms?.close());

function baseEnv(): Record<string, string> {
  return {
    DATABASE_URL: 'postgres://x:y@127.0.0.1:1/x',
    AMQP_URL: 'amqp://127.0.0.1:1',
    TP_BASE_URL: 'http://127.0.0.1:1',
    TP_API_KEY: 'k',
    FS_BASE_URL: 'http://127.0.0.1:1',
    FS_API_KEY: 'k',
    KADA_INSTITUTION: 'uio',
    ...ms.env(),
  };
}

function provider(secret?: string) {
  return createTokenProvider(loadConfig({ ...baseEnv(), ...(secret ? { AZURE_CLIENT_SECRET: secret } : {}) }).graph);
}

async function failure(p: ReturnType<typeof provider>): Promise<GraphAuthError> {
  const err = await p.getToken({ forceRefresh: true }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GraphAuthError);
  return err as GraphAuthError;
}

describe('token endpoint failures and the job retry decision', () => {
  it('token endpoint 500, 503 or 429 (also while MSAL holds back after it) is an outage: job retried', async () => {
    for (const kind of ['500', '503', '429'] as const) {
      // A provider of its own each time: after a 5xx or 429 MSAL refuses the same request for a while.
      const p = provider();
      ms.token.failNext(kind, 1);
      const first = await failure(p);
      expect(first.transient, `token endpoint ${kind}`).toBe(true);
      expect(isTransient(first)).toBe(true);
      const heldBack = await failure(p);
      expect(heldBack.transient, `MSAL holding back after ${kind}`).toBe(true);
    }
    expect(ms.token.stats().faults).toEqual({ '500': 1, '503': 1, '429': 1 });
  });

  it('a refused client secret is not: the job fails at once, and the secret is not in the message', async () => {
    const err = await failure(provider('wrong-secret-for-the-token-test'));
    expect(err.transient).toBe(false);
    expect(isTransient(err)).toBe(false);
    expect(err.message).not.toContain('wrong-secret-for-the-token-test');
  });

  it('the same decision when the failure comes through the Graph client (which wraps it) and the writer', async () => {
    const through = async (secret: string | undefined, fault: boolean) => {
      const config = loadConfig({ ...baseEnv(), ...(secret ? { AZURE_CLIENT_SECRET: secret } : {}) }).graph;
      const writer = new GraphWriter({
        client: createGraphClient(config, createTokenProvider(config)),
        maxAttempts: 3,
        backoff: { baseMs: 1, capMs: 5 },
      });
      // One 503 (Retry-After: 1): MSAL holds back the retries that follow within that second itself.
      if (fault) ms.token.failNext('503', 1);
      const err = await writer
        .call((client, signal) => client.api('/users/kari@uio.no/calendars').options({ signal }).get())
        .then(
          () => null,
          (e: unknown) => e,
        );
      return { err, requests: writer.stats().httpRequests };
    };
    const outage = await through(undefined, true);
    expect(isTransient(outage.err)).toBe(true);
    expect(outage.requests).toBe(3);
    const refused = await through('wrong-secret-for-the-token-test', false);
    expect(isTransient(refused.err)).toBe(false);
    // A refused credential is not retried: it will not get better in a minute.
    expect(refused.requests).toBe(1);
    expect(String((refused.err as Error).message)).toMatch(/AADSTS7000215/);
  });
});
