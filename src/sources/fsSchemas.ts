import { z } from 'zod';
import type { FsPerson, Registration, TeachingRole } from '../domain/types';
import { semesterFromFs } from '../domain/semester';
import { text } from './schemaParts';

/**
 * FS answers (shared/contracts/fs.md). Unlike TP events, a bad item fails the whole list: a
 * registration list with a hole in it would make kada delete that course's events.
 */

/** FS numbers arrive as strings, but older endpoints send plain numbers. */
const fsId = z.union([z.string().trim().min(1), z.number().int().nonnegative().transform(String)]);
/** Empty and blank values mean "none" (a person without a mailbox has `epost: ""` as often as null). */
const nullableText = z
  .string()
  .nullish()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : null));

const fsSemesterSchema = z.object({
  ar: z.union([
    z.number().int(),
    z
      .string()
      .regex(/^\d{4}$/)
      .transform(Number),
  ]),
  termin: z.enum(['VÅR', 'HØST']),
});
const emneSchema = z.object({ kode: z.string().trim().min(1), versjon: fsId });

export const fsPersonSchema = z.object({
  personlopenummer: fsId,
  fornavn: text,
  etternavn: text,
  brukernavn: nullableText,
  epost: nullableText,
});

export const fsRegistrationSchema = z.object({
  personlopenummer: fsId,
  emne: emneSchema,
  semester: fsSemesterSchema,
  aktiviteter: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
});

export const fsRoleSchema = z.object({
  personlopenummer: fsId,
  brukernavn: nullableText,
  emne: emneSchema,
  semester: fsSemesterSchema,
  rolle: z.string().trim().min(1),
});

export const fsPageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next: z
      .string()
      .nullish()
      .transform((v) => v || null),
  });

export function toFsPerson(p: z.output<typeof fsPersonSchema>): FsPerson {
  return {
    personId: p.personlopenummer,
    firstName: p.fornavn,
    lastName: p.etternavn,
    username: p.brukernavn,
    email: p.epost,
  };
}

export function toRegistration(r: z.output<typeof fsRegistrationSchema>): Registration {
  return {
    personId: r.personlopenummer,
    course: { courseId: r.emne.kode, version: r.emne.versjon, semester: semesterFromFs(r.semester) },
    activities: r.aktiviteter,
  };
}

export function toTeachingRole(r: z.output<typeof fsRoleSchema>): TeachingRole {
  return {
    personId: r.personlopenummer,
    username: r.brukernavn,
    course: { courseId: r.emne.kode, version: r.emne.versjon, semester: semesterFromFs(r.semester) },
    role: r.rolle,
  };
}
