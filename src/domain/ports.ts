import type { CourseRef, FsPerson, Registration, TeachingRole, TpCourse } from './types';

/** What sync needs from TP; src/sources/tpClient implements it. */
export interface TpSource {
  getCourse(ref: CourseRef): Promise<TpCourse>;
}

/** What sync and the planner need from FS; src/sources/fsClient implements it. */
export interface FsSource {
  getPerson(personId: string): Promise<FsPerson | null>;
  findByUsername(username: string): Promise<FsPerson | null>;
  registrationsForPerson(personId: string, semester: string): Promise<Registration[]>;
  registrationsForCourse(course: CourseRef): Promise<Registration[]>;
  rolesForPerson(personId: string, semester: string): Promise<TeachingRole[]>;
  rolesForCourse(course: CourseRef): Promise<TeachingRole[]>;
}
