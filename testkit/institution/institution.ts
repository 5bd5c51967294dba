import { populateInstitution, roomCatalogue } from './institutionGenerate';
import { institutionMutations } from './institutionMutations';
import { institutionQueries } from './institutionQueries';
import { createRandom } from './institutionRandom';
import { createInstitutionState } from './institutionState';
import type { Institution, InstitutionChange, InstitutionOptions } from './institutionTypes';

export type {
  FsWirePerson,
  FsWireRegistration,
  FsWireRole,
  Institution,
  InstitutionChange,
  InstitutionCourse,
  InstitutionOptions,
  NewEvent,
  TpWireEvent,
  TpWireRoom,
  TpWireStaff,
} from './institutionTypes';

/**
 * A synthetic university, deterministic from its seed: the state (institutionState.ts) filled by
 * the generator (institutionGenerate.ts), read through the queries the TP and FS emulators serve
 * (institutionQueries.ts) and changed at run time by tests through the mutations
 * (institutionMutations.ts); that is how "TP moved a lecture" happens.
 */
export function generateInstitution(opts: InstitutionOptions): Institution {
  const code = opts.institution ?? 'uio';
  const semesters = (opts.semesters ?? ['26h']).map((s) => s.toLowerCase());
  const rnd = createRandom(opts.seed);
  const state = createInstitutionState(code, roomCatalogue(), rnd);
  populateInstitution(
    state,
    {
      students: opts.students,
      semesters,
      coursesPerStudent: opts.coursesPerStudent ?? 3,
      groupSize: opts.groupSize ?? 25,
    },
    rnd,
  );

  const listeners = new Set<(c: InstitutionChange) => void>();
  const emit = (change: InstitutionChange) => {
    for (const l of listeners) l(change);
  };
  return {
    code,
    seed: opts.seed,
    semesters,
    ...institutionQueries(state),
    ...institutionMutations(state, emit),
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
