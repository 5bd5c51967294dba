import { ConfigError, loadConfig, type Config } from '../config/config';
import { type CheckLine, fail, pass } from './check';

/** The configuration, validated as `kada run` validates it; every other check needs it. */
export function checkConfig(env: Record<string, string | undefined>): { line: CheckLine; config: Config | null } {
  try {
    const config = loadConfig(env);
    const credential = config.graph.clientSecret ? 'client secret' : 'client certificate';
    return {
      config,
      line: pass(
        'configuration',
        `institution ${config.institution}, semesters ${config.semesters.join(',')}, zone ${config.timezone}, ` +
          `calendar ${config.calendar.mode}, Graph credential: ${credential}`,
      ),
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      config: null,
      line: fail(
        'configuration',
        err.problems.map((p) => `${p.variable} ${p.message}`).join('; '),
        'set the variables named (see the configuration table in the README / service.md)',
      ),
    };
  }
}
