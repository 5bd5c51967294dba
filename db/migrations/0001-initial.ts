import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The state store, the notification inbox, the per-person job queue and the error log.
 * Plain SQL so it reads in one screen; forward-only like graphile-worker's migrations.
 */
// TypeORM requires a JavaScript timestamp at the end of a migration name.
export class Initial1764115200000 implements MigrationInterface {
  name = 'Initial1764115200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE persons (
        person_id     text PRIMARY KEY,
        username      text,
        email         text,
        mailbox       text,
        first_name    text,
        last_name     text,
        status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active','no_mailbox','gone')),
        opted_out     boolean NOT NULL DEFAULT false,
        event_count   integer NOT NULL DEFAULT 0,
        last_sync_at  timestamptz,
        last_error    text,
        last_error_at timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX persons_username_idx ON persons (lower(username));
      CREATE INDEX persons_email_idx ON persons (lower(email));
      CREATE INDEX persons_mailbox_idx ON persons (lower(mailbox));

      CREATE TABLE mailboxes (
        mailbox           text PRIMARY KEY,
        calendar_id       text,
        category_ensured  boolean NOT NULL DEFAULT false,
        updated_at        timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE synced_events (
        person_id       text NOT NULL,
        event_key       text NOT NULL,
        mailbox         text NOT NULL,
        graph_event_id  text NOT NULL,
        content_hash    text NOT NULL,
        semester        text NOT NULL,
        course_id       text NOT NULL,
        course_version  text NOT NULL,
        last_synced_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (person_id, event_key)
      );
      CREATE INDEX synced_events_course_idx ON synced_events (semester, course_id, course_version);

      CREATE TABLE tp_courses (
        semester        text NOT NULL,
        course_id       text NOT NULL,
        course_version  text NOT NULL,
        fetched_at      timestamptz NOT NULL DEFAULT now(),
        found           boolean NOT NULL,
        course          jsonb NOT NULL,
        staff_usernames text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (semester, course_id, course_version)
      );

      CREATE TABLE inbox (
        id               bigserial PRIMARY KEY,
        notification_id  text NOT NULL UNIQUE,
        format           text NOT NULL CHECK (format IN ('fs','tp','cloudevent')),
        routing_key      text NOT NULL DEFAULT '',
        body             jsonb NOT NULL,
        state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','processed','ignored','failed')),
        attempts         integer NOT NULL DEFAULT 0,
        run_at           timestamptz NOT NULL DEFAULT now(),
        error            text,
        received_at      timestamptz NOT NULL DEFAULT now(),
        processed_at     timestamptz,
        -- what the notification asks for (src/intake/parseNotification): rebuild a person, or
        -- re-read a course and fan out; the planner batches by these columns
        action           text NOT NULL DEFAULT 'ignored' CHECK (action IN ('person','course','ignored')),
        person_id        text,
        semester         text,
        course_id        text,
        course_version   text,
        operation        text,
        subject          text
      );
      CREATE INDEX inbox_pending_idx ON inbox (run_at, id) WHERE state = 'pending';
      CREATE INDEX inbox_pending_course_idx ON inbox (semester, course_id, course_version) WHERE state = 'pending' AND
        action = 'course';
      CREATE INDEX inbox_received_idx ON inbox (state, received_at);

      CREATE TABLE jobs (
        id            bigserial PRIMARY KEY,
        person_id     text NOT NULL,
        state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','done','failed')),
        priority      integer NOT NULL DEFAULT 0,
        force         boolean NOT NULL DEFAULT false,
        reasons       text[] NOT NULL DEFAULT '{}',
        attempts      integer NOT NULL DEFAULT 0,
        max_attempts  integer NOT NULL DEFAULT 8,
        run_at        timestamptz NOT NULL DEFAULT now(),
        locked_by     text,
        locked_until  timestamptz,
        progress      jsonb,
        result        jsonb,
        last_error    text,
        -- a job whose retry was merged into a newer queued job of the same person points to it
        superseded_by bigint,
        created_at    timestamptz NOT NULL DEFAULT now(),
        started_at    timestamptz,
        finished_at   timestamptz
      );
      -- one pending job per person: new triggers coalesce into it
      CREATE UNIQUE INDEX jobs_one_queued_per_person ON jobs (person_id) WHERE state = 'queued';
      -- at most one running job per person, also across several kada processes
      CREATE UNIQUE INDEX jobs_one_running_per_person ON jobs (person_id) WHERE state = 'running';
      CREATE INDEX jobs_takeable_idx ON jobs (priority DESC, run_at, id) WHERE state = 'queued';
      CREATE INDEX jobs_state_idx ON jobs (state, finished_at);

      CREATE TABLE errors (
        id               bigserial PRIMARY KEY,
        kind             text NOT NULL,
        code             text NOT NULL,
        message          text NOT NULL,
        person_id        text,
        course           text,
        notification_id  text,
        job_id           bigint,
        details          jsonb,
        created_at       timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX errors_created_idx ON errors (created_at DESC);
      CREATE INDEX errors_person_idx ON errors (person_id, created_at DESC);

      CREATE TABLE reconcile_runs (
        id              bigserial PRIMARY KEY,
        started_at      timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz,
        last_person_id  text,
        persons_done    integer NOT NULL DEFAULT 0,
        repairs         integer NOT NULL DEFAULT 0
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reconcile_runs, errors, jobs, inbox, tp_courses, synced_events, mailboxes, persons`);
  }
}
