import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmqpFixture, type AmqpFixture } from '../intake/amqpFixture';
import { amqpEnv } from '../pipeline/pipelineFixture';
import { startHarness, type Harness } from '../../testkit/support/harness';
import { type KadaChild, startKada } from '../../testkit/support/kadaProcess';
import { renderKustomization, type Resource } from './kustomize';
import { exportedMetricNames, metricNames, templateQueryMetrics } from './promql';
import type { PrometheusRuleObject } from './crdSchemas';

/**
 * k8s/monitoring against kada itself: every metric an alert or a dashboard panel reads must be one that a
 * running `kada run` exports (read from its /metrics, with the token the PodMonitor presents), so a renamed
 * metric cannot leave an alert that never fires. Series Prometheus makes itself are allowed by name.
 */

const root = path.resolve(__dirname, '../..');
/** Written by Prometheus for every target, not by kada. */
const PROMETHEUS_SERIES = new Set(['up']);
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

const resources = renderKustomization(path.join(root, 'k8s/overlays/uio'));
const find = (kind: string, name: string) => {
  const r = resources.find((x) => x.kind === kind && x.metadata.name === name);
  if (!r) throw new Error(`${kind}/${name} is not rendered by the uio overlay`);
  return r;
};
const rules = (find('PrometheusRule', 'kada') as unknown as PrometheusRuleObject).spec.groups.flatMap((g) => g.rules);

interface Panel {
  title: string;
  targets?: { expr: string }[];
}
const dashboardCm = find('ConfigMap', 'kada-grafana-dashboard') as Resource & { data: Record<string, string> };
const dashboard = JSON.parse(dashboardCm.data['kada.json']!) as {
  panels: Panel[];
  templating: { list: { name: string; query: string | { query: string } }[] };
};
const panelExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr })));
const templateMetrics = dashboard.templating.list.flatMap((v) =>
  v.name === 'datasource' ? [] : templateQueryMetrics(typeof v.query === 'string' ? v.query : v.query.query),
);

let h: Harness;
let amqpFx: AmqpFixture;
let kada: KadaChild;
let exported: Set<string>;

beforeAll(async () => {
  amqpFx = await createAmqpFixture('monitoring');
  h = await startHarness({ seed: 3, students: 5, noContext: true, env: { ...amqpEnv(amqpFx), LOG_LEVEL: 'warn' } });
  kada = await startKada(h.env, { METRICS_TOKEN, AZURE_CLIENT_SECRET_EXPIRES: '2027-06-30' });
  await kada.waitReady();
  const res = await fetch(`${kada.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  exported = exportedMetricNames(await res.text());
});
afterAll(async () => {
  if (kada?.alive()) kada.child.kill('SIGTERM');
  await kada?.exited;
  await h?.close();
  await amqpFx?.close();
});

describe('the monitoring component', () => {
  it('is included by the overlays: the scrape, the alerts and the dashboard', () => {
    for (const o of ['uio', 'uib']) {
      const kinds = renderKustomization(path.join(root, 'k8s/overlays', o)).map((r) => `${r.kind}/${r.metadata.name}`);
      expect(kinds).toEqual(
        expect.arrayContaining(['PodMonitor/kada', 'PrometheusRule/kada', 'ConfigMap/kada-grafana-dashboard']),
      );
    }
    expect(dashboardCm.metadata.labels?.grafana_dashboard).toBe('1');
  });

  it('has the alerts the operators asked for', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        'KadaDown',
        'KadaDatabaseUnreachable',
        'KadaBrokerDisconnected',
        'KadaInboxLag',
        'KadaJobsFailing',
        'KadaDeadLettersGrowing',
        'KadaGraphThrottled',
        'KadaDeletionsHeld',
        'KadaReconcileNotSuccessful',
        'KadaCredentialExpiring',
      ].sort(),
    );
  });

  it('serves /metrics only with the token the PodMonitor presents', async () => {
    expect((await fetch(`${kada.url}/metrics`)).status).toBe(401);
    expect(exported.has('kada_build_info')).toBe(true);
  });

  it('names in its alerts only metrics that a running kada run exports', () => {
    const unknown = rules.flatMap((r) =>
      metricNames(r.expr)
        .filter((m) => !exported.has(m) && !PROMETHEUS_SERIES.has(m))
        .map((m) => `${r.alert}: ${m}`),
    );
    expect(unknown).toEqual([]);
    expect(rules.every((r) => metricNames(r.expr).length > 0)).toBe(true);
  });

  it('names in its dashboard only metrics that a running kada run exports', () => {
    expect(panelExprs.length).toBeGreaterThan(10);
    const unknown = [
      ...panelExprs.flatMap((p) => metricNames(p.expr).map((m) => ({ where: p.where, m }))),
      ...templateMetrics.map((m) => ({ where: 'variables', m })),
    ]
      .filter(({ m }) => !exported.has(m) && !PROMETHEUS_SERIES.has(m))
      .map(({ where, m }) => `${where}: ${m}`);
    expect(unknown).toEqual([]);
  });

  it('shows on the dashboard every signal an alert watches', () => {
    const shown = new Set(panelExprs.flatMap((p) => metricNames(p.expr)));
    const watched = new Set(rules.flatMap((r) => metricNames(r.expr)));
    expect([...watched].filter((m) => !shown.has(m))).toEqual([]);
  });

  it('keeps the institution in every alert (one kada per namespace) and max()es the database-wide gauges', () => {
    const installationWide = [
      'kada_inbox_lag_seconds',
      'kada_jobs_queued',
      'kada_deletes_held',
      'kada_reconcile_last_success_timestamp_seconds',
    ];
    for (const r of rules) {
      expect(r.expr, r.alert).toMatch(/by \(namespace[,)]/);
      for (const m of installationWide.filter((g) => metricNames(r.expr).includes(g))) {
        // Every replica exports the same value: sum() would count it once per replica.
        expect(r.expr, `${r.alert} aggregates ${m} with max`).toMatch(new RegExp(`max by \\(namespace\\) \\(${m}\\)`));
      }
    }
  });
});
