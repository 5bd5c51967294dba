/**
 * Semester codes. TP says `26h` (autumn 2026) / `27v` (spring 2027); FS says
 * `{ar: 2026, termin: 'HØST'}`. Conversions live here and nowhere else.
 */
export type Termin = 'VÅR' | 'HØST';
export interface FsSemester {
  ar: number;
  termin: Termin;
}

const CODE = /^(\d{2})([vh])$/;

export function isSemesterCode(code: string): boolean {
  return CODE.test(code);
}

export function semesterToFs(code: string): FsSemester {
  const m = CODE.exec(code);
  if (!m) throw new Error(`not a TP semester code: ${JSON.stringify(code)}`);
  return { ar: 2000 + Number(m[1]), termin: m[2] === 'v' ? 'VÅR' : 'HØST' };
}

export function semesterFromFs(s: FsSemester): string {
  return `${String(s.ar % 100).padStart(2, '0')}${s.termin === 'VÅR' ? 'v' : 'h'}`;
}

/** Spring runs January-June, autumn July-December; the default window is this one and the next. */
export function currentAndNextSemesters(now: Date): string[] {
  const year = now.getUTCFullYear() % 100;
  const autumn = now.getUTCMonth() >= 6;
  const current = `${String(year).padStart(2, '0')}${autumn ? 'h' : 'v'}`;
  const next = autumn ? `${String((year + 1) % 100).padStart(2, '0')}v` : `${String(year).padStart(2, '0')}h`;
  return [current, next];
}
