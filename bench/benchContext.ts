import type { BenchInstitution } from './benchInstitution';
import type { BenchEnvironment } from './environment';
import type { JobRunResult } from './jobRun';
import type { PhaseProfiler } from './profiler';

/** Options of one `npm run bench` run (see bench/main.ts for the flags). */
export interface BenchOptions {
  latencyMs: number;
  concurrency: number;
  fill: number;
  fanOut: number;
  series: number;
  /** Students of the lost-database drill's own institution (scenario 9), lecturers come on top. */
  recovery: number;
  changes: number;
  naiveSample: number;
  memoryPersons: number;
  memoryEventsPerPerson: number;
  coreStudents: number;
  /** Persons of the fill in scenario 20 (order of work). */
  orderPersons: number;
  workers: number;
  seed: number;
  /** Persons in the shared-budget scenarios (16, 17) and the latency of scenario 16. */
  budgetPersons: number;
  budgetLatencyMs: number;
  full: boolean;
  only: Set<string> | null;
  profileDir: string | null;
  databaseUrl: string;
  amqpUrl: string;
}

/** What a scenario gets: the running environment, the shaped institution and the run's options. */
export interface BenchContext {
  env: BenchEnvironment;
  inst: BenchInstitution;
  opts: BenchOptions;
  /** CPU profiles of the measured phases when `--profile <dir>` is given. */
  profiler: PhaseProfiler;
  log(message: string): void;
  /** Records failed jobs as a warning printed under the table (figures are still printed). */
  checkJobs(label: string, run: JobRunResult): void;
}
