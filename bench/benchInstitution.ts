import type { CourseRef } from '../src/domain/types';
import { generateInstitution, type Institution } from '../testkit/institution/institution';

/**
 * The synthetic institution of a benchmark run, shaped so each scenario measures only itself:
 * - `fill`: students with their natural registrations (about four courses each), filled first;
 * - `cohort`: the fan-out students, registered in the fan-out course only; one change of that course
 *   reaches them, the fill students who take it and its lecturers, all synced by then, and nobody
 *   who never was (the series students are kept out of it);
 * - `latencyPerson` (the first fill student) is the only student of `latencyCourse`, so a change to
 *   their group there is one person's change on an otherwise idle system;
 * - `series`: students filled once more with SERIES_MODE=weekly.
 */
export interface BenchInstitution {
  institution: Institution;
  semester: string;
  fill: string[];
  cohort: string[];
  series: string[];
  fanOutCourse: CourseRef;
  latencyCourse: CourseRef;
  latencyPerson: string;
}

export interface BenchInstitutionOptions {
  seed: number;
  code: string;
  fill: number;
  cohort: number;
  series: number;
}

export function benchInstitution(opts: BenchInstitutionOptions): BenchInstitution {
  const semester = '26h';
  const total = opts.fill + opts.cohort + opts.series;
  const institution = generateInstitution({
    seed: opts.seed,
    students: total,
    semesters: [semester],
    institution: opts.code,
    coursesPerStudent: 4,
  });
  const students = institution.students().map((s) => s.personlopenummer);
  const fill = students.slice(0, opts.fill);
  const cohort = students.slice(opts.fill, opts.fill + opts.cohort);
  const series = students.slice(opts.fill + opts.cohort);
  const courses = institution.courses(semester);
  const fanOut = courses[0]!;
  const latency = courses[courses.length - 1]!;
  const cohortSet = new Set(cohort);
  const seriesSet = new Set(series);
  const latencyPerson = fill[0]!;

  for (const id of students) {
    if (cohortSet.has(id)) {
      for (const c of courses) institution.removeRegistration(id, c.ref);
      continue;
    }
    if (seriesSet.has(id)) institution.removeRegistration(id, fanOut.ref);
    if (id !== latencyPerson) institution.removeRegistration(id, latency.ref);
  }
  cohort.forEach((id, i) => institution.setRegistration(id, fanOut.ref, [fanOut.groups[i % fanOut.groups.length]!]));
  const own = institution
    .registrationsOfPerson(latencyPerson, semester)
    .find((r) => r.emne.kode === latency.ref.courseId);
  if (!own) institution.setRegistration(latencyPerson, latency.ref, [latency.groups[0]!]);

  return {
    institution,
    semester,
    fill,
    cohort,
    series,
    fanOutCourse: fanOut.ref,
    latencyCourse: latency.ref,
    latencyPerson,
  };
}

/**
 * How many occurrences the institution's oracle gives these persons in `semester`. Persons without
 * a mailbox (FS has no e-mail for about 1% of students) get nothing written, so they count zero.
 */
export function occurrencesOf(inst: Institution, personIds: string[], semester: string): number {
  return personIds.reduce((n, id) => n + (inst.person(id)?.epost ? inst.timetableOf(id, semester).length : 0), 0);
}

/** ` (1 without a mailbox)` when some of these persons have none, else empty. */
export function withoutMailbox(inst: Institution, personIds: string[]): string {
  const n = personIds.filter((id) => !inst.person(id)?.epost).length;
  return n ? ` (${n} without a mailbox)` : '';
}
