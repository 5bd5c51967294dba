import { createHash, randomBytes } from 'node:crypto';
import type { Caller, Role } from '../admin/caller';
import type { Queryable, Row } from './queryable';

/**
 * The admin page's sessions and sign-ins in progress (tables admin_sessions, admin_sign_ins). The
 * browser holds a random value; the table holds its SHA-256, so a copy of the table opens nothing.
 */

const hashOf = (value: string) => createHash('sha256').update(value, 'utf8').digest();
export const randomValue = () => randomBytes(32).toString('base64url');

export interface SignIn {
  codeVerifier: string;
  nonce: string;
}

/** Remembers a sign-in the browser was just sent to the issuer for (keyed by its `state`). */
export async function saveSignIn(db: Queryable, state: string, s: SignIn, ttlSeconds: number): Promise<void> {
  await db.query(`DELETE FROM admin_sign_ins WHERE expires_at < now()`);
  await db.query(
    `INSERT INTO admin_sign_ins (state_hash, code_verifier, nonce, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [hashOf(state), s.codeVerifier, s.nonce, ttlSeconds],
  );
}

/** The sign-in a callback's `state` belongs to, used up by this call (a code is redeemed once). */
export async function takeSignIn(db: Queryable, state: string): Promise<SignIn | null> {
  // Wrapped in a SELECT: TypeORM answers a bare DELETE with [rows, count] instead of the rows.
  const rows = (await db.query(
    `WITH taken AS (DELETE FROM admin_sign_ins WHERE state_hash = $1 RETURNING code_verifier, nonce, expires_at)
     SELECT code_verifier, nonce, expires_at > now() AS live FROM taken`,
    [hashOf(state)],
  )) as Row[];
  const r = rows[0];
  return r?.live ? { codeVerifier: r.code_verifier, nonce: r.nonce } : null;
}

export interface NewSession {
  /** The cookie value: shown to the browser once, never stored. */
  id: string;
  csrfToken: string;
}

export async function createSession(db: Queryable, caller: Caller, expiresAt: Date): Promise<NewSession> {
  await db.query(`DELETE FROM admin_sessions WHERE expires_at < now()`);
  const id = randomValue();
  const csrfToken = randomValue();
  await db.query(
    `INSERT INTO admin_sessions (id_hash, actor, roles, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
    [hashOf(id), caller.actor, [...caller.roles], csrfToken, expiresAt],
  );
  return { id, csrfToken };
}

export interface StoredSession {
  caller: Caller;
  csrfToken: string;
  expiresAt: Date;
}

export async function findSession(db: Queryable, id: string): Promise<StoredSession | null> {
  const rows = (await db.query(
    `SELECT actor, roles, csrf_token, expires_at FROM admin_sessions WHERE id_hash = $1 AND expires_at > now()`,
    [hashOf(id)],
  )) as Row[];
  const r = rows[0];
  if (!r) return null;
  return {
    caller: { actor: r.actor, roles: new Set<Role>(r.roles as Role[]) },
    csrfToken: r.csrf_token,
    expiresAt: new Date(r.expires_at),
  };
}

export async function deleteSession(db: Queryable, id: string): Promise<void> {
  await db.query(`DELETE FROM admin_sessions WHERE id_hash = $1`, [hashOf(id)]);
}
