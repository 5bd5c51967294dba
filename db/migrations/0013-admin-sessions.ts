import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin page's sign-in (issue 17): sessions and sign-ins in progress live in PostgreSQL so every
 * replica knows them (the issuer may send the browser back to another replica than the one it left)
 * and a sign-out ends a session everywhere at once. Only hashes of the cookie and state values are
 * stored, so a read of the table gives nobody a usable session.
 */
export class AdminSessions1797724800000 implements MigrationInterface {
  name = 'AdminSessions1797724800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin_sessions (
        id_hash bytea PRIMARY KEY,
        actor text NOT NULL,
        roles text[] NOT NULL,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX admin_sessions_expires_idx ON admin_sessions (expires_at);
      CREATE TABLE admin_sign_ins (
        state_hash bytea PRIMARY KEY,
        code_verifier text NOT NULL,
        nonce text NOT NULL,
        expires_at timestamptz NOT NULL
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_sign_ins; DROP TABLE admin_sessions;`);
  }
}
