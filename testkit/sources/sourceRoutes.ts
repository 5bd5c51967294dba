import { courseKey, type CourseRef } from '../../src/domain/types';
import { isSemesterCode, semesterFromFs, type Termin } from '../../src/domain/semester';
import type { Institution } from '../institution/institution';
import type { SourceRoute } from './sourceEmulator';

/** The emulated TP and FS resources (tp.md, fs.md): what each URL answers when nothing is faulted. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SourceRouteDeps {
  inst: Institution;
  count: (route: SourceRoute, resource: string) => void;
  /** One page of an FS list, with its `next`. */
  paged: (url: URL, all: unknown[]) => unknown;
}

export function createSourceRoutes({ inst, count, paged }: SourceRouteDeps) {
  const fsSemester = (url: URL): string => {
    const ar = Number(url.searchParams.get('ar'));
    const termin = url.searchParams.get('termin');
    if (!Number.isInteger(ar) || ar < 2000 || (termin !== 'VÅR' && termin !== 'HØST')) {
      throw new HttpError(400, 'ar and termin (VÅR|HØST) are required');
    }
    return semesterFromFs({ ar, termin: termin as Termin });
  };

  const fsCourse = (url: URL): CourseRef | null => {
    const kode = url.searchParams.get('emnekode');
    if (kode === null) return null;
    return { courseId: kode, version: url.searchParams.get('versjon') ?? '1', semester: fsSemester(url) };
  };

  function tp(url: URL): unknown {
    if (url.pathname !== '/tp/ws/1.4/course.php') throw new HttpError(404, 'not found');
    const id = url.searchParams.get('id');
    const sem = url.searchParams.get('sem')?.toLowerCase() ?? '';
    if (!id || !isSemesterCode(sem)) throw new HttpError(400, 'id and sem are required');
    const ref = { courseId: id, version: url.searchParams.get('version') ?? '1', semester: sem };
    count('tp.course', courseKey(ref));
    const events = inst.courseEvents(ref);
    if (!events) throw new HttpError(404, 'course not found');
    return {
      courseid: ref.courseId,
      coursename: inst.courseName(ref),
      courseversion: ref.version,
      semesterid: ref.semester,
      events,
    };
  }

  function fs(url: URL): unknown {
    const path = url.pathname.replace(/^\/fs/, '');
    const q = url.searchParams;
    const personMatch = /^\/personer\/([^/]+)$/.exec(path);
    if (personMatch) {
      const id = decodeURIComponent(personMatch[1]!);
      count('fs.person', id);
      const p = inst.person(id);
      if (!p) throw new HttpError(404, 'person not found');
      return p;
    }
    if (path === '/personer') {
      const username = q.get('brukernavn');
      if (!username) throw new HttpError(400, 'brukernavn is required');
      count('fs.personByUsername', username);
      const p = inst.personByUsername(username);
      return paged(url, p ? [p] : []);
    }
    if (path === '/undervisningsmeldinger' || path === '/personroller') {
      const registrations = path === '/undervisningsmeldinger';
      const course = fsCourse(url);
      if (course) {
        count(registrations ? 'fs.registrationsByCourse' : 'fs.rolesByCourse', courseKey(course));
        return paged(url, registrations ? inst.registrationsOfCourse(course) : inst.rolesOfCourse(course));
      }
      const personId = q.get('personlopenummer');
      if (!personId) throw new HttpError(400, 'personlopenummer or emnekode is required');
      const semester = fsSemester(url);
      count(registrations ? 'fs.registrationsByPerson' : 'fs.rolesByPerson', `${personId} ${semester}`);
      return paged(
        url,
        registrations ? inst.registrationsOfPerson(personId, semester) : inst.rolesOfPerson(personId, semester),
      );
    }
    throw new HttpError(404, 'not found');
  }

  return { tp, fs };
}
