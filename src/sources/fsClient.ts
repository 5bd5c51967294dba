import type { z } from 'zod';
import type { CourseRef } from '../domain/types';
import type { FsSource } from '../domain/ports';
import { semesterToFs } from '../domain/semester';
import type { Logger } from '../log/logger';
import { getSourceJson, SourceError, type RetryOptions, type SourceContext, type SourceErrorCode } from './http';
import {
  fsPageSchema,
  fsPersonSchema,
  fsRegistrationSchema,
  fsRoleSchema,
  toFsPerson,
  toRegistration,
  toTeachingRole,
} from './fsSchemas';
import { describeIssue } from './schemaParts';

/** Reads persons, registrations and teaching roles from FS (shared/contracts/fs.md); the port sync uses. */
export type FsClient = FsSource;

export interface FsClientOptions {
  baseUrl: string;
  apiKey: string;
  retry?: RetryOptions;
  logger?: Logger;
  /** A list longer than this many pages is treated as a paging loop (default 1000). */
  maxPages?: number;
}

/**
 * One page schema per item schema: zod compiles a schema on its first parse, so building a new one
 * for every list call cost ~50 µs per FS request (seen in the benchmark's CPU profile).
 */
const pageSchemas = new WeakMap<z.ZodType, z.ZodType>();
function pageSchemaOf<T extends z.ZodType>(item: T): ReturnType<typeof fsPageSchema<T>> {
  let schema = pageSchemas.get(item);
  if (!schema) {
    schema = fsPageSchema(item);
    pageSchemas.set(item, schema);
  }
  return schema as ReturnType<typeof fsPageSchema<T>>;
}

export function createFsClient(opts: FsClientOptions): FsClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const maxPages = opts.maxPages ?? 1000;
  const request = (url: string, context: SourceContext) =>
    getSourceJson(url, { source: 'fs', apiKey: opts.apiKey, retry: opts.retry, logger: opts.logger, context });
  const error = (
    code: SourceErrorCode,
    message: string,
    url: string,
    context: SourceContext,
    status: number | null = null,
  ) => new SourceError({ code, source: 'fs', message, url, status, context });

  /** Follows `next` to the end; every page is validated, and the API key never leaves FS's origin. */
  async function list<T extends z.ZodType>(
    path: string,
    params: Record<string, string>,
    item: T,
    context: SourceContext,
  ): Promise<z.output<T>[]> {
    const schema = pageSchemaOf(item);
    const visited = new Set<string>();
    const items: z.output<T>[] = [];
    let url: string | null = `${base}${path}?${new URLSearchParams(params)}`;
    while (url !== null) {
      const key = pageKey(url);
      if (visited.has(key))
        throw error('SOURCE_PAGING_LOOP', `paging loop: next points back to a page already read`, url, context);
      if (visited.size >= maxPages)
        throw error('SOURCE_PAGING_LOOP', `list has more than ${maxPages} pages`, url, context);
      visited.add(key);
      const res = await request(url, context);
      // A list has no "absent"; reading a 404 as an empty list would delete the person's events.
      if (res.status === 404) throw error('SOURCE_INVALID_RESPONSE', 'answered 404 for a list', url, context, 404);
      const page = schema.safeParse(res.body);
      if (!page.success)
        throw error(
          'SOURCE_INVALID_RESPONSE',
          `invalid list page at ${describeIssue(page.error, 'body')}`,
          url,
          context,
          200,
        );
      items.push(...(page.data.items as z.output<T>[]));
      url = page.data.next === null ? null : resolveNext(page.data.next, url, context);
    }
    return items;
  }

  function resolveNext(next: string, current: string, context: SourceContext): string {
    let resolved: URL;
    try {
      resolved = new URL(next, current);
    } catch {
      throw error('SOURCE_INVALID_RESPONSE', 'next is not a URL', current, context, 200);
    }
    if (resolved.origin !== origin)
      throw error(
        'SOURCE_INVALID_RESPONSE',
        `next points to another origin (${resolved.origin})`,
        current,
        context,
        200,
      );
    return resolved.toString();
  }

  const semesterParams = (semester: string) => {
    const s = semesterToFs(semester);
    return { ar: String(s.ar), termin: s.termin };
  };
  const courseParams = (c: CourseRef) => ({ emnekode: c.courseId, versjon: c.version, ...semesterParams(c.semester) });
  /** One person's items of a list in a TP semester (`26h`). */
  const listForPerson = <T extends z.ZodType>(path: string, item: T, personId: string, semester: string) =>
    list(path, { personlopenummer: personId, ...semesterParams(semester) }, item, { personId });

  return {
    /** null: FS does not know the person (404), which means they are gone. */
    async getPerson(personId) {
      const url = `${base}/personer/${encodeURIComponent(personId)}`;
      const res = await request(url, { personId });
      if (res.status === 404) return null;
      const person = fsPersonSchema.safeParse(res.body);
      if (!person.success)
        throw error(
          'SOURCE_INVALID_RESPONSE',
          `invalid person at ${describeIssue(person.error, 'body')}`,
          url,
          { personId },
          200,
        );
      return toFsPerson(person.data);
    },
    async findByUsername(username) {
      const found = await list('/personer', { brukernavn: username }, fsPersonSchema, {});
      const exact = found.find((p) => p.brukernavn?.toLowerCase() === username.toLowerCase());
      return exact ? toFsPerson(exact) : null;
    },
    /** `semester` is a TP code such as `26h`, here and in rolesForPerson. */
    async registrationsForPerson(personId, semester) {
      return (await listForPerson('/undervisningsmeldinger', fsRegistrationSchema, personId, semester)).map(
        toRegistration,
      );
    },
    async registrationsForCourse(course) {
      return (await list('/undervisningsmeldinger', courseParams(course), fsRegistrationSchema, { course })).map(
        toRegistration,
      );
    },
    async rolesForPerson(personId, semester) {
      return (await listForPerson('/personroller', fsRoleSchema, personId, semester)).map(toTeachingRole);
    },
    async rolesForCourse(course) {
      return (await list('/personroller', courseParams(course), fsRoleSchema, { course })).map(toTeachingRole);
    },
  };
}

/** The same page however the server orders its query parameters. */
function pageKey(url: string): string {
  const u = new URL(url);
  u.searchParams.sort();
  return u.toString();
}
