import { createGraphClient } from '../graph/graphClient';
import { type CheckLine, fail, guarded } from './check';
import { checkBroker } from './brokerCheck';
import { checkConfig } from './configCheck';
import { checkDatabase } from './databaseCheck';
import { checkGraphToken, rolesOf } from './graphTokenCheck';
import { checkMailbox } from './mailboxCheck';
import { checkFs, checkTp } from './sourceChecks';

export interface DoctorReport {
  /** Every required check passed: what an operator needs before the first fill. */
  ok: boolean;
  checks: CheckLine[];
}

/**
 * `kada doctor`: configuration first (everything else needs it), then the database, broker, TP, FS
 * and the Graph token side by side, then, given a mailbox, the round trip in it. Nothing here
 * writes anything but the broker topology `kada run` declares anyway and the one test event.
 */
export async function runDoctor(
  env: Record<string, string | undefined>,
  opts: { mailbox?: string } = {},
): Promise<DoctorReport> {
  const { line, config } = checkConfig(env);
  if (!config) {
    const skipped = ['database', 'broker', 'TP', 'FS', 'Graph token'].map((c) =>
      fail(c, 'not checked: the configuration is invalid', 'fix the configuration first'),
    );
    return report([line, ...skipped]);
  }
  const [database, broker, tp, fs, graph] = await Promise.all([
    guarded('database', 'check DATABASE_URL', () => checkDatabase(config.databaseUrl)),
    guarded('broker', 'check AMQP_URL', () => checkBroker(config.amqp)),
    guarded('TP', 'check TP_BASE_URL', () => checkTp(config)),
    guarded('FS', 'check FS_BASE_URL', () => checkFs(config)),
    checkGraphToken(config),
  ]);
  const checks = [line, ...database!, ...broker!, ...tp!, ...fs!, graph.line];
  if (opts.mailbox !== undefined) {
    const tokens = graph.tokens;
    if (!tokens) checks.push(fail('mailbox write', 'not checked: no Graph token', 'fix the Graph token first'));
    else {
      const client = createGraphClient(config.graph, tokens, { libraryRetries: 2 });
      const roles = rolesOf(await tokens.getToken());
      checks.push(
        ...(await guarded('mailbox write', 'see the error', () => checkMailbox(config, client, opts.mailbox!, roles))),
      );
    }
  }
  return report(checks);
}

const report = (checks: CheckLine[]): DoctorReport => ({ ok: checks.every((c) => c.ok || !c.required), checks });
