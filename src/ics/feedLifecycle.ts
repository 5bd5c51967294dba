import type { Config } from '../config/config';
import { activeFeedOf, deleteFeed, insertFeed } from '../store/icsFeeds';
import type { Queryable } from '../store/queryable';
import { newNonce, tokenHash, tokenMatches, tokenOf } from './feedToken';

/**
 * `kada ics create|revoke` and POST/DELETE /api/persons/{person}/ics: while a feed is active, create
 * prints the same URL (its token is derived again from the stored nonce); revoke deletes the feed, so
 * its token answers 404 from then on and the next create makes a new one.
 */

type LifecycleContext = { db: Queryable; config: Pick<Config, 'ics'> };

/** The stored hash no longer matches the token derived now: KADA_ICS_KEY (or KADA_LOG_KEY) changed. */
export class IcsKeyChangedError extends Error {
  readonly code = 'ICS_KEY_CHANGED';
  constructor() {
    super(
      "the active feed's URL cannot be derived again because KADA_ICS_KEY (or KADA_LOG_KEY) changed since it " +
        'was made; the feed still works for its subscribers. Revoke it and create a new one to get a URL to hand out',
    );
    this.name = 'IcsKeyChangedError';
  }
}

export const feedUrl = (baseUrl: string, token: string) => `${baseUrl}/ics/${token}.ics`;

export async function createFeed(ctx: LifecycleContext, subject: string): Promise<{ url: string; created: boolean }> {
  const key = ctx.config.ics.tokenKey;
  for (let attempt = 0; attempt < 2; attempt++) {
    const active = await activeFeedOf(ctx.db, subject);
    if (active) {
      const token = tokenOf(key, active.nonce);
      if (!tokenMatches(token, active.hash)) throw new IcsKeyChangedError();
      return { url: feedUrl(ctx.config.ics.baseUrl, token), created: false };
    }
    const nonce = newNonce();
    const token = tokenOf(key, nonce);
    if (await insertFeed(ctx.db, subject, nonce, tokenHash(token))) {
      return { url: feedUrl(ctx.config.ics.baseUrl, token), created: true };
    }
    // Another create for the same subject won: print its URL.
  }
  throw new Error('could not create or read the feed');
}

export const revokeFeed = (ctx: LifecycleContext, subject: string) => deleteFeed(ctx.db, subject);
