import type { Command } from 'commander';
import { storedPersonReport, type StoredPersonReport } from '../../admin/personReport';
import { collectStatus, type StatusReport } from '../../admin/statusReport';
import { loadDatabaseUrl } from '../../config/config';
import { createDataSource } from '../../db/dataSource';
import { recentErrors, type StoredError } from '../../store/errors';
import { findPerson } from '../../store/persons';
import { recordCli } from '../audited';
import { printJson } from '../output';
import { UnknownPersonError } from '../usage';

/**
 * `kada status [<person>]`: the queue, inbox and errors, or one person's state, read straight from
 * the database (needs only DATABASE_URL, so it works while FS, TP or Graph are down).
 */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("queue depth, last sync, errors; or one person's state")
    .argument('[person]', 'personlopenummer, username or e-mail')
    .option('--json', 'machine-readable output')
    .action(async (person: string | undefined, opts: { json?: boolean }) => {
      const ds = createDataSource(loadDatabaseUrl(), { poolSize: 3 });
      await ds.initialize();
      try {
        if (person !== undefined) {
          const q = person.trim();
          const known = q ? await findPerson(ds, q) : null;
          const report = known
            ? await storedPersonReport(ds, known.personId)
            : /^\d{1,12}$/.test(q)
              ? await storedPersonReport(ds, q)
              : null;
          // A read of one person's data (service.md): audited like GET /api/persons/{person}.
          await recordCli(ds, 'read', [report?.personId ?? (q || null)], report ? 'ok' : 'error');
          if (!report) throw new UnknownPersonError(person, 'kada has no record of them by number, username or e-mail');
          if (opts.json) printJson(report);
          else process.stdout.write(formatPerson(report));
          return;
        }
        const [status, errors] = await Promise.all([collectStatus(ds), recentErrors(ds, { limit: 10 })]);
        if (opts.json) printJson({ ...status, recentErrors: errors });
        else process.stdout.write(formatStatus(status, errors));
      } finally {
        await ds.destroy();
      }
    });
}

const when = (d: Date | null | undefined) => (d ? new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z') : 'never');

function formatStatus(s: StatusReport, errors: StoredError[]): string {
  const kinds = Object.entries(s.errors.last24h).map(([k, n]) => `${k} ${n}`);
  const oldest = s.queue.oldestQueuedSeconds !== null ? ` (oldest ${s.queue.oldestQueuedSeconds} s)` : '';
  const p = s.persons;
  const q = s.queue.byPriority;
  const lines = [
    `jobs          queued ${s.queue.queued}${oldest}, running ${s.queue.running}, failed ${s.queue.failed}, ` +
      `done ${s.queue.done}`,
    `  by priority rebuild ${q.rebuild}, near change ${q.nearChange}, change ${q.change}, fill ${q.fill}, ` +
      `later weeks ${q.fillRest}`,
    `inbox         pending ${s.inbox.pending}, lag ${s.inbox.lagSeconds} s, failed ${s.inbox.failed}`,
    `dead letters  ${s.deadLetters.total} (${s.deadLetters.last24h} in the last 24 h)`,
    `persons       ${p.total} (active ${p.active}, no mailbox ${p.noMailbox}, gone ${p.gone}, ` +
      `opted out ${p.optedOut}, with error ${p.withError})`,
    `last sync     ${when(s.persons.lastSyncAt)}`,
    s.graph
      ? `graph         ${s.graph.processes} kada process(es): throttled ${s.graph.throttled}, ` +
        `retry wait ${s.graph.retryWaitSeconds} s, writes waiting ${s.graph.pending}`
      : 'graph         no kada process running',
    `errors (24 h) ${kinds.length ? kinds.join(', ') : 'none'}`,
    `held deletes  ${s.safety.deletes.held}${s.safety.deletes.held ? ' (kada deletes --release | --drop)' : ''}`,
    `confirmations ${s.safety.pendingConfirmations.length} wipe-out(s) waiting for a second sighting`,
  ];
  for (const c of s.safety.pendingConfirmations.slice(0, 20))
    lines.push(`  ${c.kind} ${c.subject} first seen ${when(c.firstSeenAt)}, last ${when(c.lastSeenAt)}`);
  if (errors.length) {
    lines.push('recent errors:');
    for (const e of errors)
      lines.push(
        `  ${when(e.createdAt)} ${e.kind} ${e.code}${e.personId ? ` person ${e.personId}` : ''}: ${e.message}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

function formatPerson(p: StoredPersonReport): string {
  const lines = [
    `person        ${p.personId}${p.name ? ` ${p.name}` : ''}${p.username ? ` (${p.username})` : ''}`,
    `mailbox       ${p.mailbox ?? 'none'}`,
    `status        ${p.status}${p.optedOut ? ', opted out' : ''}`,
    `events        ${p.eventCount}${p.syncedCourses.length ? ` in ${p.syncedCourses.join(', ')}` : ''}`,
    `last sync     ${when(p.lastSync)}`,
    `last error    ${p.lastError ? `${p.lastError} (${when(p.lastErrorAt)})` : 'none'}`,
  ];
  if (p.recentJobs.length) {
    lines.push('recent jobs:');
    for (const j of p.recentJobs) {
      lines.push(
        `  ${j.jobId} ${j.state}${j.progress ? ` ${j.progress.done}/${j.progress.total}` : ''} ${when(j.createdAt)} ` +
          `${j.reasons[0] ?? ''}${j.lastError ? ` error: ${j.lastError}` : ''}`,
      );
    }
  }
  if (p.recentErrors.length) {
    lines.push('recent errors:');
    for (const e of p.recentErrors) lines.push(`  ${when(e.createdAt)} ${e.kind} ${e.code}: ${e.message}`);
  }
  return `${lines.join('\n')}\n`;
}
