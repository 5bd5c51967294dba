import { EntitySchema } from 'typeorm';

/**
 * TypeORM entity schemas for the tables of db/migrations. EntitySchema rather than decorators:
 * no decorator metadata is needed, so the same code runs under tsc, vitest and tsx.
 */

export interface PersonRow {
  personId: string;
  username: string | null;
  email: string | null;
  mailbox: string | null;
  firstName: string | null;
  lastName: string | null;
  status: 'active' | 'no_mailbox' | 'gone';
  optedOut: boolean;
  eventCount: number;
  lastSyncAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const PersonEntity = new EntitySchema<PersonRow>({
  name: 'Person',
  tableName: 'persons',
  columns: {
    personId: { name: 'person_id', type: 'text', primary: true },
    username: { type: 'text', nullable: true },
    email: { type: 'text', nullable: true },
    mailbox: { type: 'text', nullable: true },
    firstName: { name: 'first_name', type: 'text', nullable: true },
    lastName: { name: 'last_name', type: 'text', nullable: true },
    status: { type: 'text', default: 'active' },
    optedOut: { name: 'opted_out', type: 'boolean', default: false },
    eventCount: { name: 'event_count', type: 'integer', default: 0 },
    lastSyncAt: { name: 'last_sync_at', type: 'timestamptz', nullable: true },
    lastError: { name: 'last_error', type: 'text', nullable: true },
    lastErrorAt: { name: 'last_error_at', type: 'timestamptz', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz', updateDate: true },
  },
});

export interface SyncedEventRow {
  personId: string;
  eventKey: string;
  mailbox: string;
  graphEventId: string;
  contentHash: string;
  semester: string;
  courseId: string;
  courseVersion: string;
  generation: number;
  lastSyncedAt: Date;
}

export const SyncedEventEntity = new EntitySchema<SyncedEventRow>({
  name: 'SyncedEvent',
  tableName: 'synced_events',
  columns: {
    personId: { name: 'person_id', type: 'text', primary: true },
    eventKey: { name: 'event_key', type: 'text', primary: true },
    mailbox: { type: 'text' },
    graphEventId: { name: 'graph_event_id', type: 'text' },
    contentHash: { name: 'content_hash', type: 'text' },
    semester: { type: 'text' },
    courseId: { name: 'course_id', type: 'text' },
    courseVersion: { name: 'course_version', type: 'text' },
    generation: { type: 'integer', default: 0 },
    lastSyncedAt: { name: 'last_synced_at', type: 'timestamptz' },
  },
});

export interface ErrorRow {
  id: string;
  kind: string;
  code: string;
  message: string;
  personId: string | null;
  course: string | null;
  notificationId: string | null;
  jobId: string | null;
  details: unknown;
  createdAt: Date;
}

export const ErrorEntity = new EntitySchema<ErrorRow>({
  name: 'ErrorRecord',
  tableName: 'errors',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    kind: { type: 'text' },
    code: { type: 'text' },
    message: { type: 'text' },
    personId: { name: 'person_id', type: 'text', nullable: true },
    course: { type: 'text', nullable: true },
    notificationId: { name: 'notification_id', type: 'text', nullable: true },
    jobId: { name: 'job_id', type: 'bigint', nullable: true },
    details: { type: 'jsonb', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
  },
});

export const entities = [PersonEntity, SyncedEventEntity, ErrorEntity];
