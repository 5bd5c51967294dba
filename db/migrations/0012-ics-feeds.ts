import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ICS feeds (rooms-ics.md): one active feed per person (`subject`: a personlopenummer or
 * `tp:<username>`), found by the SHA-256 of its token; the token itself is never stored (src/ics/feedToken.ts).
 * The last build is kept with the feed so every replica can answer from it: what FS said (enrolment),
 * the fingerprint of the sources it was built from, and the body with its ETag. `ics_events` keeps each
 * VEVENT's content hash, SEQUENCE and DTSTAMP, raised by one atomic upsert when the hash changes; a
 * revoked feed takes its rows with it.
 */
export class IcsFeeds1797638400000 implements MigrationInterface {
  name = 'IcsFeeds1797638400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ics_feeds (
        id            bigserial PRIMARY KEY,
        subject       text NOT NULL UNIQUE,
        token_nonce   bytea NOT NULL,
        token_hash    bytea NOT NULL UNIQUE,
        created_at    timestamptz NOT NULL DEFAULT now(),
        enrolment     jsonb,
        enrolment_at  timestamptz,
        person_seen   timestamptz,
        courses       jsonb NOT NULL DEFAULT '[]',
        sources       text,
        etag          text,
        body          text,
        built_at      timestamptz
      );

      CREATE TABLE ics_events (
        feed_id       bigint NOT NULL REFERENCES ics_feeds (id) ON DELETE CASCADE,
        component     text NOT NULL,
        content_hash  text NOT NULL,
        sequence      integer NOT NULL DEFAULT 0,
        stamped_at    timestamptz NOT NULL DEFAULT date_trunc('second', now()),
        PRIMARY KEY (feed_id, component)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ics_events, ics_feeds`);
  }
}
