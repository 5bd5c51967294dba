import { describe, expect, it } from 'vitest';
import { generateInstitution } from '../../testkit/institution/institution';
import { parseTpTime } from '../../src/desired/time';

const IN1000 = { courseId: 'IN1000', version: '1', semester: '26h' };

describe('generateInstitution', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = generateInstitution({ seed: 42, students: 200 });
    const b = generateInstitution({ seed: 42, students: 200 });
    const c = generateInstitution({ seed: 43, students: 200 });
    const snapshot = (i: typeof a) =>
      JSON.stringify({
        students: i.students(),
        courses: i.courses(),
        events: i.courses().map((x) => i.courseEvents(x.ref)),
        regs: i.students().map((s) => i.registrationsOfPerson(s.personlopenummer, '26h')),
      });
    expect(snapshot(a)).toBe(snapshot(b));
    expect(snapshot(a)).not.toBe(snapshot(c));
  });

  it('has about one course per 40 students, at least 3, with TP-style codes and version 1', () => {
    expect(generateInstitution({ seed: 1, students: 10 }).courses()).toHaveLength(3);
    const inst = generateInstitution({ seed: 1, students: 1200 });
    const courses = inst.courses();
    expect(courses).toHaveLength(30);
    expect(courses.map((c) => c.ref.courseId)).toEqual(expect.arrayContaining(['IN1000', 'MAT1100', 'EXPHIL03']));
    for (const c of courses) {
      expect(c.ref.courseId).toMatch(/^[A-Z]+(-[A-Z]+)?\d{2,4}[A-Z]*$/);
      expect(c.ref.version).toBe('1');
    }
    expect(new Set(courses.map((c) => c.ref.courseId)).size).toBe(courses.length);
  });

  it('writes events the way TP does, across the autumn DST change', () => {
    const inst = generateInstitution({ seed: 5, students: 300 });
    const events = inst.courseEvents(IN1000)!;
    const lectures = events.filter((e) => e.actid === '1');
    expect(lectures.length).toBeGreaterThanOrEqual(14);
    expect(lectures.every((e) => e.status_plenary && e['teaching-title'] === 'Forelesning')).toBe(true);
    const groups = events.filter((e) => e.actid.startsWith('2-'));
    expect(groups.every((e) => !e.status_plenary && e['teaching-title'] === `Gruppe ${e.actid.slice(2)}`)).toBe(true);
    for (const e of events) {
      expect(e.eventid).toMatch(/^26H-IN1000-1-\d+(-\d+)?-\d+-1\+\d{1,2}\+[1-7]$/);
      expect(e.eventid.startsWith(`${e.id}+${e.weeknr}+${e.weekday}`)).toBe(true);
      expect(e.dtstart).toMatch(/^2026-\d\d-\d\d[T ]\d\d:\d\d:00\+0[12]$/);
      expect(e.weeknr).toBeGreaterThanOrEqual(34);
      expect(e.weeknr).toBeLessThanOrEqual(47);
      expect(e.room[0]?.roomurl).toMatch(/^https:\/\//);
      const start = parseTpTime(e.dtstart)!;
      expect(parseTpTime(e.dtend)!.toMillis() - start.toMillis()).toBe(105 * 60_000);
      // The offset TP writes is the real Oslo offset on that day.
      expect(start.setZone('Europe/Oslo').offset).toBe(start.offset);
    }
    expect(events.some((e) => e.dtstart.endsWith('+02'))).toBe(true);
    expect(events.some((e) => e.dtstart.endsWith('+01'))).toBe(true);
    const all = inst.courses().flatMap((c) => inst.courseEvents(c.ref)!);
    expect(all.some((e) => e.dtstart.includes(' '))).toBe(true);
    expect(all.some((e) => e.status === 'cancelled')).toBe(true);
    expect(all.some((e) => e.summary !== '')).toBe(true);
    expect(new Set(all.map((e) => e.eventid)).size).toBe(all.length);
  });

  it('covers the spring DST change in 27v (weeks 2-20)', () => {
    const inst = generateInstitution({ seed: 5, students: 80, semesters: ['27v'] });
    const events = inst.courseEvents({ courseId: 'IN1000', version: '1', semester: '27v' })!;
    const weeks = events.map((e) => e.weeknr);
    expect(Math.min(...weeks)).toBe(2);
    expect(Math.max(...weeks)).toBe(20);
    expect(events.filter((e) => e.weeknr <= 12).every((e) => e.dtstart.endsWith('+01'))).toBe(true);
    expect(events.filter((e) => e.weeknr >= 14).every((e) => e.dtstart.endsWith('+02'))).toBe(true);
  });

  it('registers each student in coursesPerStudent courses with one group of about 25 each', () => {
    const inst = generateInstitution({ seed: 9, students: 400, coursesPerStudent: 3 });
    const perGroup = new Map<string, number>();
    for (const s of inst.students()) {
      expect(s.personlopenummer).toMatch(/^\d{5,6}$/);
      const regs = inst.registrationsOfPerson(s.personlopenummer, '26h');
      expect(regs).toHaveLength(3);
      for (const r of regs) {
        expect(r.aktiviteter).toHaveLength(1);
        expect(r.semester).toEqual({ ar: 2026, termin: 'HØST' });
        const key = `${r.emne.kode} ${r.aktiviteter[0]}`;
        perGroup.set(key, (perGroup.get(key) ?? 0) + 1);
      }
    }
    expect(Math.max(...perGroup.values())).toBeLessThanOrEqual(25);
    for (const c of inst.courses()) {
      const groupsInFs = new Set(inst.registrationsOfCourse(c.ref).flatMap((r) => r.aktiviteter));
      expect([...groupsInFs].sort()).toEqual([...c.groups].sort());
    }
  });

  it('gives students e-mail at the institution, except about 1%', () => {
    const inst = generateInstitution({ seed: 3, students: 1000, institution: 'uib' });
    const students = inst.students();
    const without = students.filter((s) => s.epost === null);
    expect(without.length).toBeGreaterThan(0);
    expect(without.length).toBeLessThan(40);
    for (const s of students.filter((x) => x.epost !== null)) expect(s.epost).toBe(`${s.brukernavn}@uib.no`);
    expect(new Set(students.map((s) => s.brukernavn)).size).toBe(students.length);
    expect(new Set(students.map((s) => s.personlopenummer)).size).toBe(students.length);
  });

  it("makes lecturers FS persons with FORELESER roles who appear in their lectures' staffs", () => {
    const inst = generateInstitution({ seed: 11, students: 200 });
    const lecturer = inst.aLecturer();
    const roles = inst.rolesOfPerson(lecturer.personlopenummer, '26h');
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(role.rolle).toBe('FORELESER');
      expect(role.brukernavn).toBe(lecturer.brukernavn);
      const ref = { courseId: role.emne.kode, version: role.emne.versjon, semester: '26h' };
      const lectures = inst.courseEvents(ref)!.filter((e) => e.status_plenary);
      expect(lectures.every((e) => e.staffs.some((s) => s.id === lecturer.brukernavn))).toBe(true);
      expect(inst.rolesOfCourse(ref).map((r) => r.personlopenummer)).toContain(lecturer.personlopenummer);
    }
    expect(inst.timetableOf(lecturer.personlopenummer, '26h').length).toBeGreaterThan(0);
  });

  it("answers who should see what (the oracle follows tp.md's rules)", () => {
    const inst = generateInstitution({ seed: 2, students: 120 });
    const student = inst.aStudent(3);
    const regs = inst.registrationsOfPerson(student.personlopenummer, '26h');
    const expected = regs.flatMap((r) =>
      inst
        .courseEvents({ courseId: r.emne.kode, version: r.emne.versjon, semester: '26h' })!
        .filter((e) => e.status_plenary || r.aktiviteter.includes(e.actid))
        .map((e) => e.eventid),
    );
    expect(
      inst
        .timetableOf(student.personlopenummer, '26h')
        .map((x) => x.eventid)
        .sort(),
    ).toEqual(expected.sort());
  });
});

describe('institution mutations', () => {
  it("moves an event into winter time with TP's offset and keeps its eventid", () => {
    const inst = generateInstitution({ seed: 4, students: 80 });
    const e = inst.courseEvents(IN1000)!.find((x) => x.weeknr === 35 && x.actid === '1')!;
    const changes: unknown[] = [];
    inst.onChange((c) => changes.push(c));
    inst.moveEvent(IN1000, e.eventid, '2026-10-26T09:15:00+01:00', '2026-10-26T11:00:00+01:00');
    const moved = inst.event(IN1000, e.eventid)!;
    expect(moved.dtstart).toMatch(/^2026-10-26[T ]09:15:00\+01$/);
    expect(moved.dtend).toMatch(/^2026-10-26[T ]11:00:00\+01$/);
    expect(moved.weeknr).toBe(44);
    expect(moved.weekday).toBe(1);
    expect(changes).toEqual([{ system: 'tp', course: IN1000 }]);
  });

  it('changes rooms, summaries, status, and adds and deletes events', () => {
    const inst = generateInstitution({ seed: 4, students: 80 });
    const [first, second] = inst.courseEvents(IN1000)!;
    const room = inst.rooms().find((r) => r.roomid.startsWith('AUD') && r.id !== first!.room[0]?.id)!;
    inst.setRoom(IN1000, first!.eventid, room.id);
    inst.setSummary(IN1000, first!.eventid, 'Rekursjon');
    inst.cancelEvent(IN1000, first!.eventid);
    expect(inst.event(IN1000, first!.eventid)).toMatchObject({
      room: [room],
      summary: 'Rekursjon',
      status: 'cancelled',
    });
    inst.setRoom(IN1000, first!.eventid, []);
    expect(inst.event(IN1000, first!.eventid)!.room).toEqual([]);

    const before = inst.courseEventCount(IN1000);
    inst.deleteEvent(IN1000, second!.eventid);
    expect(inst.event(IN1000, second!.eventid)).toBeUndefined();
    const added = inst.addEvent(IN1000, {
      dtstart: '2026-11-20T10:15:00+01:00',
      dtend: '2026-11-20T12:00:00+01:00',
      summary: 'Ekstra',
    });
    expect(added.eventid).toMatch(/^26H-IN1000-1-1-\d+-1\+47\+5$/);
    expect(added.dtstart).toBe('2026-11-20T10:15:00+01');
    expect(inst.courseEventCount(IN1000)).toBe(before);
    expect(() => inst.cancelEvent(IN1000, 'no-such-event')).toThrow(/unknown event/);
  });

  it('changes registrations and persons', () => {
    const inst = generateInstitution({ seed: 4, students: 80 });
    const s = inst.aStudent();
    inst.setRegistration(s.personlopenummer, IN1000, ['2-1']);
    expect(
      inst.registrationsOfPerson(s.personlopenummer, '26h').find((r) => r.emne.kode === 'IN1000')!.aktiviteter,
    ).toEqual(['2-1']);
    inst.removeRegistration(s.personlopenummer, IN1000);
    expect(inst.registrationsOfPerson(s.personlopenummer, '26h').map((r) => r.emne.kode)).not.toContain('IN1000');
    expect(inst.registrationsOfCourse(IN1000).map((r) => r.personlopenummer)).not.toContain(s.personlopenummer);
    inst.setEmail(s.personlopenummer, null);
    expect(inst.person(s.personlopenummer)!.epost).toBeNull();
    inst.removePerson(s.personlopenummer);
    expect(inst.person(s.personlopenummer)).toBeUndefined();
    expect(inst.personByUsername(s.brukernavn)).toBeUndefined();
    expect(inst.registrationsOfPerson(s.personlopenummer, '26h')).toEqual([]);
    const added = inst.addPerson({ fornavn: 'Åse', etternavn: 'Ødegård' });
    expect(added.brukernavn).toMatch(/^aseo/);
    expect(inst.person(added.personlopenummer)).toEqual(added);
  });
});
