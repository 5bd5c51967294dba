import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, it, expect } from 'vitest';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigError, loadConfig, loadDatabaseUrl } from '../../src/config/config';
import { CRD_SCHEMAS } from './crdSchemas';
import { readKustomization, readYaml, renderKustomization, type Resource } from './kustomize';

const root = path.resolve(__dirname, '../..');
const k8s = path.join(root, 'k8s');
const OVERLAYS = ['uio', 'uib'] as const;
// A fixed clock: KADA_SEMESTERS' default depends on the date.
const NOW = new Date('2026-09-01T10:00:00Z');

/** One model class per kind the manifests use; `.validate()` checks against Kubernetes' OpenAPI schema. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: unknown }[];
  env?: EnvVar[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
    runAsUser?: number;
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
interface Workload {
  id: string;
  resource: Resource;
  template: PodTemplate;
}

const spec = (r: Resource) => r.spec as Record<string, any>;

function find(resources: Resource[], kind: string, name: string): Resource {
  const r = resources.find((x) => x.kind === kind && x.metadata.name === name);
  if (!r) throw new Error(`${kind}/${name} is not rendered`);
  return r;
}

/** The pod templates of the Deployment, the Job and the CronJob. */
function workloads(resources: Resource[]): Workload[] {
  return resources.flatMap((r): Workload[] => {
    const id = `${r.kind}/${r.metadata.name}`;
    if (r.kind === 'Deployment' || r.kind === 'Job') return [{ id, resource: r, template: spec(r).template }];
    if (r.kind === 'CronJob') return [{ id, resource: r, template: spec(r).jobTemplate.spec.template }];
    return [];
  });
}

type ExampleSecret = Resource & { stringData: Record<string, string> };

/** The example Secrets by name: shaped like real ones, so they also serve as placeholders for loadConfig. */
function exampleSecrets(): Record<string, ExampleSecret> {
  const docs = readYaml(path.join(k8s, 'secret.example.yaml')) as ExampleSecret[];
  expect(docs.map((d) => d.metadata.name)).toEqual(['kada-secrets', 'kada-metrics']);
  return Object.fromEntries(docs.map((d) => [d.metadata.name, d]));
}

/** The secret keys a container references, as `<secret>/<key>`. */
function secretRefs(c: Container): string[] {
  return (c.env ?? []).flatMap((e) =>
    e.valueFrom?.secretKeyRef ? [`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`] : [],
  );
}

/**
 * The environment a container would start with: its ConfigMaps (envFrom) and env entries, with the
 * example Secret's values standing in for secretKeyRefs. `optional` lists the refs marked optional.
 */
function containerEnv(resources: Resource[], c: Container): { env: Record<string, string>; optional: string[] } {
  const secrets = exampleSecrets();
  const env: Record<string, string> = {};
  const optional: string[] = [];
  for (const from of c.envFrom ?? []) {
    expect(from.secretRef, 'secrets are referenced key by key, never as a whole').toBeUndefined();
    const cm = find(resources, 'ConfigMap', from.configMapRef!.name) as Resource & { data: Record<string, string> };
    Object.assign(env, cm.data);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = e.value;
      continue;
    }
    const ref = e.valueFrom?.secretKeyRef;
    expect(ref, `${e.name} has either a value or a secretKeyRef`).toBeDefined();
    const secret = secrets[ref!.name];
    expect(secret, `secret.example.yaml shows the Secret ${ref!.name}`).toBeDefined();
    expect(Object.keys(secret!.stringData), `secret.example.yaml shows the key ${ref!.key}`).toContain(ref!.key);
    env[e.name] = secret!.stringData[ref!.key]!;
    if (ref!.optional) optional.push(e.name);
  }
  return { env, optional };
}

/** The containerPort a probe or Service port refers to, by name or number. */
function resolvePort(c: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return c.ports?.some((p) => p.containerPort === port) ? port : undefined;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/** Whether kada reads `key` at all: changing its value changes the loaded config or is rejected by name. */
function isReadByKada(env: Record<string, string>, key: string): boolean {
  const before = loadConfig(env, NOW);
  try {
    return !isDeepStrictEqual(before, loadConfig({ ...env, [key]: `${env[key]}x` }, NOW));
  } catch (err) {
    return err instanceof ConfigError && err.problems.some((p) => p.variable === key);
  }
}

const rendered = Object.fromEntries(
  OVERLAYS.map((o) => [o, renderKustomization(path.join(k8s, 'overlays', o))]),
) as Record<(typeof OVERLAYS)[number], Resource[]>;

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const resources = rendered[overlay];
  const kustomization = readKustomization(path.join(k8s, 'overlays', overlay, 'kustomization.yaml'));
  const deployment = find(resources, 'Deployment', 'kada');
  const server = (spec(deployment).template as PodTemplate).spec.containers[0]!;
  const config = (find(resources, 'ConfigMap', 'kada-config') as Resource & { data: Record<string, string> }).data;

  it('renders every piece of the deployment and no Secret', () => {
    const ids = resources.map((r) => `${r.kind}/${r.metadata.name}`).sort();
    expect(ids).toEqual(
      [
        'ConfigMap/kada-config',
        'ConfigMap/kada-grafana-dashboard',
        'CronJob/kada-reconcile',
        'Deployment/kada',
        'Job/kada-migrate',
        `Namespace/kada-${overlay}`,
        'NetworkPolicy/kada',
        'NetworkPolicy/kada-backends',
        'NetworkPolicy/kada-ingress',
        'PodDisruptionBudget/kada',
        'PodMonitor/kada',
        'PrometheusRule/kada',
        'Service/kada',
        'ServiceAccount/kada',
      ].sort(),
    );
  });

  it('validates every object against the Kubernetes schemas', () => {
    for (const r of resources) {
      const Model = MODELS[`${r.apiVersion}/${r.kind}`];
      if (Model) {
        expect(() => new Model(r as never).validate(), `${r.kind}/${r.metadata.name}`).not.toThrow();
        continue;
      }
      // kubernetes-models has no Prometheus Operator types: those are checked against the CRDs' fields.
      const crd = CRD_SCHEMAS[`${r.apiVersion}/${r.kind}`];
      expect(crd, `a model or CRD schema for ${r.apiVersion}/${r.kind}`).toBeDefined();
      const parsed = crd!.safeParse(r);
      expect(parsed.error?.issues ?? [], `${r.kind}/${r.metadata.name}`).toEqual([]);
    }
  });

  it('puts everything in the institution namespace', () => {
    expect(kustomization.namespace).toBe(`kada-${overlay}`);
    for (const r of resources) {
      if (r.kind === 'Namespace') expect(r.metadata.name).toBe(`kada-${overlay}`);
      else expect(r.metadata.namespace, `${r.kind}/${r.metadata.name}`).toBe(`kada-${overlay}`);
    }
  });

  it("labels the namespace with Pod Security Admission's restricted profile, which every kada pod meets", () => {
    const labels = find(resources, 'Namespace', `kada-${overlay}`).metadata.labels ?? {};
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(labels[`pod-security.kubernetes.io/${mode}`], mode).toBe('restricted');
    }
    // The restricted profile's volume types (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
    const allowed = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim'].concat([
      'projected',
      'secret',
    ]);
    for (const w of workloads(resources)) {
      const pod = w.template.spec as PodSpec & { volumes?: Record<string, unknown>[] };
      for (const v of pod.volumes ?? []) {
        const types = Object.keys(v).filter((k) => k !== 'name');
        expect(
          types.every((t) => allowed.includes(t)),
          `${w.id} volume ${v.name}: ${types}`,
        ).toBe(true);
      }
    }
  });

  it('gives each workload only the secrets it reads', () => {
    const refs = Object.fromEntries(
      workloads(resources).map((w) => [w.id, secretRefs(w.template.spec.containers[0]!)]),
    );
    const common = ['DATABASE_URL', 'AMQP_URL', 'TP_API_KEY', 'FS_API_KEY', 'AZURE_CLIENT_SECRET'].map(
      (k) => `kada-secrets/${k}`,
    );
    expect(refs['Deployment/kada']?.sort()).toEqual(
      [...common, 'kada-secrets/ADMIN_TOKEN', 'kada-metrics/METRICS_TOKEN'].sort(),
    );
    expect(refs['CronJob/kada-reconcile']?.sort(), 'reconcile serves no API').toEqual([...common].sort());
    expect(refs['Job/kada-migrate'], 'kada migrate reads only the database URL').toEqual(['kada-secrets/DATABASE_URL']);
    const migrate = find(resources, 'Job', 'kada-migrate');
    expect(spec(migrate).ttlSecondsAfterFinished).toBeGreaterThan(0);
    const { env } = containerEnv(resources, (spec(migrate).template as PodTemplate).spec.containers[0]!);
    expect(loadDatabaseUrl(env)).toBe(env.DATABASE_URL);
  });

  it('gives every workload an environment the config loader accepts', () => {
    for (const w of workloads(resources).filter((x) => x.id !== 'Job/kada-migrate')) {
      const { env } = containerEnv(resources, w.template.spec.containers[0]!);
      expect(() => loadConfig(env, NOW), w.id).not.toThrow();
      const cfg = loadConfig(env, NOW);
      expect(cfg.institution, w.id).toBe(overlay);
      expect(cfg.port, w.id).toBe(Number(config.PORT));
    }
  });

  it('makes only the Azure client secret optional, since a certificate can stand in for it', () => {
    for (const w of workloads(resources).filter((x) => x.id !== 'Job/kada-migrate')) {
      const { env, optional } = containerEnv(resources, w.template.spec.containers[0]!);
      expect(optional, w.id).toEqual(['AZURE_CLIENT_SECRET']);
      for (const name of optional) delete env[name];
      let problems: string[] = [];
      try {
        loadConfig(env, NOW);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        problems = (err as ConfigError).problems.map((p) => p.variable);
      }
      expect(problems, w.id).toEqual(['AZURE_CLIENT_SECRET']);
      expect(() =>
        loadConfig({ ...env, AZURE_CLIENT_CERTIFICATE_PATH: '/var/run/secrets/kada/azure/cert.pem' }, NOW),
      ).not.toThrow();
    }
  });

  it('keeps secrets out of the ConfigMap and puts only variables kada reads in it', () => {
    const secretKeys = Object.values(exampleSecrets()).flatMap((x) => Object.keys(x.stringData));
    for (const key of Object.keys(config)) expect(secretKeys, `${key} is not a secret`).not.toContain(key);
    const { env } = containerEnv(resources, server);
    // NODE_OPTIONS is for Node itself, not for kada.
    const unread = Object.keys(config).filter((k) => k !== 'NODE_OPTIONS' && !isReadByKada(env, k));
    expect(unread).toEqual([]);
  });

  it('runs the right command in each workload', () => {
    const args = Object.fromEntries(workloads(resources).map((w) => [w.id, w.template.spec.containers[0]!.args]));
    expect(args).toEqual({
      'Deployment/kada': ['run'],
      'Job/kada-migrate': ['migrate'],
      'CronJob/kada-reconcile': ['reconcile', '--all'],
    });
    const cron = spec(find(resources, 'CronJob', 'kada-reconcile'));
    expect(cron.concurrencyPolicy).toBe('Forbid');
  });

  it('probes /healthz and the database-only /readyz/serve on the port kada listens on', () => {
    const port = Number(config.PORT);
    expect(server.startupProbe?.httpGet?.path).toBe('/healthz');
    expect(server.livenessProbe?.httpGet?.path).toBe('/healthz');
    // Not /readyz (database and broker): a broker outage must not empty the Service (src/admin/routes/health.ts).
    expect(server.readinessProbe?.httpGet?.path).toBe('/readyz/serve');
    for (const probe of [server.startupProbe, server.livenessProbe, server.readinessProbe]) {
      expect(resolvePort(server, probe?.httpGet?.port)).toBe(port);
    }
    const svc = spec(find(resources, 'Service', 'kada'));
    expect(resolvePort(server, svc.ports[0].targetPort)).toBe(port);
    // The PodMonitor scrapes the named port with the token kada run is given.
    const endpoint = spec(find(resources, 'PodMonitor', 'kada')).podMetricsEndpoints[0];
    expect(resolvePort(server, endpoint.port)).toBe(port);
    expect(endpoint.path).toBe('/metrics');
    const token = server.env?.find((e) => e.name === 'METRICS_TOKEN')?.valueFrom?.secretKeyRef;
    expect(token, '/metrics needs METRICS_TOKEN').toBeDefined();
    expect(token?.optional).not.toBe(true);
    expect(endpoint.authorization).toEqual({ type: 'Bearer', credentials: { name: token!.name, key: token!.key } });
  });

  it('admits traffic to port 8080 only from the namespaces the overlay names, and only to server pods', () => {
    expect(spec(find(resources, 'NetworkPolicy', 'kada')).ingress).toEqual([]);
    const policy = spec(find(resources, 'NetworkPolicy', 'kada-ingress'));
    expect(policy.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'kada',
      'app.kubernetes.io/component': 'server',
    });
    expect(policy.ingress.length).toBeGreaterThan(0);
    const namespaces: string[] = [];
    for (const rule of policy.ingress as { from?: Record<string, any>[]; ports?: { port: number }[] }[]) {
      expect(rule.ports?.map((p) => p.port)).toEqual([Number(config.PORT)]);
      expect(rule.from?.length, 'a rule without `from` admits everyone').toBeGreaterThan(0);
      for (const peer of rule.from!) {
        expect(Object.keys(peer), 'namespaces only, no ipBlock').toEqual(['namespaceSelector']);
        const name = peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'];
        expect(name, 'a namespace named by its label').toMatch(/^[a-z0-9-]+$/);
        namespaces.push(name);
      }
    }
    expect(namespaces).toHaveLength(2);
  });

  it("lets kada's own shutdown deadline end inside the pod's grace period", () => {
    const grace = spec(deployment).template.spec.terminationGracePeriodSeconds;
    const { env } = containerEnv(resources, server);
    expect(loadConfig(env, NOW).shutdownTimeoutMs + 5_000).toBeLessThanOrEqual(grace * 1000);
  });

  it('sizes and spreads the server as the benchmark and availability goals say', () => {
    const d = spec(deployment);
    expect(d.replicas).toBe(2);
    expect(server.resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    expect(d.template.spec.terminationGracePeriodSeconds).toBe(60);
    const pdb = spec(find(resources, 'PodDisruptionBudget', 'kada'));
    expect(pdb.minAvailable).toBe(1);
  });

  it('locks down every pod', () => {
    const sa = find(resources, 'ServiceAccount', 'kada') as Resource & { automountServiceAccountToken?: boolean };
    expect(sa.automountServiceAccountToken).toBe(false);
    for (const w of workloads(resources)) {
      const pod = w.template.spec;
      expect(pod.serviceAccountName, w.id).toBe('kada');
      expect(pod.automountServiceAccountToken, w.id).toBe(false);
      expect(pod.securityContext?.runAsNonRoot, w.id).toBe(true);
      expect(pod.securityContext?.runAsUser, w.id).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type, w.id).toBe('RuntimeDefault');
      for (const c of pod.containers) {
        expect(c.securityContext?.readOnlyRootFilesystem, w.id).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, w.id).toBe(false);
        expect(c.securityContext?.capabilities?.drop, w.id).toContain('ALL');
        const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
        expect(tmp, `${w.id} has a writable /tmp`).toBeDefined();
        expect(pod.volumes?.find((v) => v.name === tmp!.name)?.emptyDir, w.id).toBeDefined();
      }
    }
  });

  it('runs the image pinned by the overlay everywhere', () => {
    const pin = kustomization.images.find((i) => i.name === 'kada');
    expect(pin?.newName).toBeDefined();
    expect(pin?.newTag).toBeDefined();
    for (const w of workloads(resources)) {
      for (const c of w.template.spec.containers) expect(c.image, w.id).toBe(`${pin!.newName}:${pin!.newTag}`);
    }
  });

  it('selects only server pods for the Service and disruption budget, every kada pod for the network policies', () => {
    const labelsOf = Object.fromEntries(workloads(resources).map((w) => [w.id, w.template.metadata.labels]));
    const selects = (selector: Record<string, string>) =>
      Object.entries(labelsOf)
        .filter(([, labels]) => Object.entries(selector).every(([k, v]) => labels[k] === v))
        .map(([id]) => id)
        .sort();
    expect(selects(spec(find(resources, 'Service', 'kada')).selector)).toEqual(['Deployment/kada']);
    expect(selects(spec(find(resources, 'PodDisruptionBudget', 'kada')).selector.matchLabels)).toEqual([
      'Deployment/kada',
    ]);
    expect(selects(spec(deployment).selector.matchLabels)).toEqual(['Deployment/kada']);
    for (const name of ['kada', 'kada-backends']) {
      expect(selects(spec(find(resources, 'NetworkPolicy', name)).podSelector.matchLabels)).toEqual([
        'CronJob/kada-reconcile',
        'Deployment/kada',
        'Job/kada-migrate',
      ]);
    }
  });

  it('lets kada reach DNS, HTTPS, Postgres and the broker, and nothing else', () => {
    const egress = ['kada', 'kada-backends'].flatMap((name) => spec(find(resources, 'NetworkPolicy', name)).egress);
    const ports = egress.flatMap((rule: { ports?: { port: number; protocol: string }[] }) => {
      expect(rule.ports, 'every egress rule names its ports').toBeDefined();
      return rule.ports!.map((p) => `${p.protocol}/${p.port}`);
    });
    expect([...new Set(ports)].sort()).toEqual(['TCP/443', 'TCP/53', 'TCP/5432', 'TCP/5671', 'UDP/53'].sort());
    const backends = spec(find(resources, 'NetworkPolicy', 'kada-backends')).egress as { ports: { port: number }[] }[];
    expect(backends.flatMap((r) => r.ports.map((p) => p.port)).sort()).toEqual([443, 5432, 5671]);
  });
});

describe('overlays side by side', () => {
  const configOf = (o: (typeof OVERLAYS)[number]) =>
    (find(rendered[o], 'ConfigMap', 'kada-config') as Resource & { data: Record<string, string> }).data;

  it('configure each institution as itself', () => {
    for (const o of OVERLAYS) {
      const data = configOf(o);
      expect(data.KADA_INSTITUTION).toBe(o);
      const bindings = data.AMQP_BINDINGS!.split(',');
      expect(bindings.map((b) => b.split(':')[0]).sort()).toEqual(['ex_fs', 'ex_tp']);
      for (const b of bindings) expect(b.split(':')[1]).toMatch(new RegExp(`^no\\.${o}\\.(fs|tp)\\.#$`));
    }
    expect(new Set(OVERLAYS.map((o) => configOf(o).KADA_INSTITUTION)).size).toBe(OVERLAYS.length);
  });

  it('differ in namespace, image and the institution-specific settings', () => {
    const distinct = (f: (o: (typeof OVERLAYS)[number]) => string | undefined) => new Set(OVERLAYS.map(f)).size;
    expect(distinct((o) => find(rendered[o], 'Deployment', 'kada').metadata.namespace)).toBe(2);
    expect(
      distinct(
        (o) => (spec(find(rendered[o], 'Deployment', 'kada')).template as PodTemplate).spec.containers[0]!.image,
      ),
    ).toBe(2);
    for (const key of ['KADA_SEMESTERS', 'AMQP_BINDINGS', 'TP_BASE_URL', 'FS_BASE_URL', 'AZURE_CLIENT_ID']) {
      expect(
        distinct((o) => configOf(o)[key]),
        key,
      ).toBe(2);
    }
  });
});

describe('secret.example.yaml', () => {
  it('holds valid Secrets named as the workloads and the PodMonitor expect, with every key they reference', () => {
    const secrets = exampleSecrets();
    for (const secret of Object.values(secrets)) expect(() => new Secret(secret as never).validate()).not.toThrow();
    const refs = new Set(workloads(rendered.uio).flatMap((w) => secretRefs(w.template.spec.containers[0]!)));
    const credentials = spec(find(rendered.uio, 'PodMonitor', 'kada')).podMetricsEndpoints[0].authorization.credentials;
    refs.add(`${credentials.name}/${credentials.key}`);
    const shown = Object.values(secrets).flatMap((s) =>
      Object.keys(s.stringData).map((k) => `${s.metadata.name}/${k}`),
    );
    expect([...refs].sort()).toEqual(shown.sort());
    expect(Object.keys(secrets['kada-metrics']!.stringData), 'the scraper can read no other secret').toEqual([
      'METRICS_TOKEN',
    ]);
  });

  it('is not part of any kustomization', () => {
    for (const dir of ['base', 'overlays/uio', 'overlays/uib']) {
      const k = readKustomization(path.join(k8s, dir, 'kustomization.yaml'));
      expect(k.resources.map((r) => path.resolve(k8s, dir, r))).not.toContain(path.join(k8s, 'secret.example.yaml'));
    }
    for (const o of OVERLAYS) expect(rendered[o].some((r) => r.kind === 'Secret')).toBe(false);
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(k8s, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1]!;

  it('starts the kada CLI that package.json names, running `kada run` by default', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin: { kada: string } };
    const entrypoint = /^ENTRYPOINT (.+)$/m.exec(runtime)?.[1];
    expect(JSON.parse(entrypoint!)).toEqual(['node', pkg.bin.kada]);
    expect(JSON.parse(/^CMD (.+)$/m.exec(runtime)![1]!)).toEqual(['run']);
  });

  it('runs production dependencies only, without a package manager, as the UID the pods require', () => {
    expect(stages.map((st) => /^\S+ AS (\w+)/.exec(st)?.[1])).toEqual(['build', 'deps', 'runtime']);
    const deps = stages[1]!;
    expect(deps).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(runtime).toMatch(/COPY --from=deps \/app\/node_modules \.\/node_modules/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    // npm is removed before anything of kada's is copied in, and nothing after runs it.
    const removal = /^RUN rm -rf ([^&]+)/m.exec(runtime)?.[1] ?? '';
    for (const tool of ['/usr/local/lib/node_modules', '/usr/local/bin/npm', '/usr/local/bin/npx'])
      expect(removal, tool).toContain(tool);
    const afterRemoval = runtime.slice(runtime.indexOf('/usr/local/bin/kada') + 1);
    expect(afterRemoval.split('\n').filter((l) => /^(RUN|ENTRYPOINT|CMD)/.test(l) && /\bnp[mx]\b/.test(l))).toEqual([]);
    expect(runtime, 'operators can `kubectl exec deploy/kada -- kada ...`').toMatch(
      /ln -s \/app\/dist\/src\/cli\/main\.js \/usr\/local\/bin\/kada/,
    );
    const uid = Number(/^USER (\d+)(:\d+)?$/m.exec(runtime)?.[1]);
    for (const w of workloads(rendered.uio)) expect(w.template.spec.securityContext?.runAsUser, w.id).toBe(uid);
  });

  it('builds every stage on Node.js 24 pinned by digest, while package.json still allows Node 20.19', () => {
    const arg = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(arg).toMatch(/^node:24[-.\w]*@sha256:[0-9a-f]{64}$/);
    const fromArg = '$' + '{NODE_IMAGE}';
    expect(stages.map((st) => st.split(/\s/)[0])).toEqual([fromArg, fromArg, fromArg]);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=20.19');
    const main = fs.readFileSync(path.join(root, 'src/cli/main.ts'), 'utf8');
    expect(main.split('\n')[0], 'the `kada` link runs the CLI through its shebang').toBe('#!/usr/bin/env node');
  });

  it('copies only paths that exist and that the build context keeps', () => {
    const ignore = fs.readFileSync(path.join(k8s, 'Dockerfile.dockerignore'), 'utf8');
    const kept = ignore
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/\*\*$/, ''));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(fs.existsSync(path.join(root, src)), src).toBe(true);
      expect(kept, `${src} is kept by Dockerfile.dockerignore`).toContain(src);
    }
  });
});

describe('the certificate recipe in docs/deploying.md', () => {
  it('patches an overlay into a valid Deployment that starts without a client secret', () => {
    const doc = fs.readFileSync(path.join(root, 'docs/deploying.md'), 'utf8');
    const patch = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((y) => y.includes('AZURE_CLIENT_CERTIFICATE_PATH'));
    expect(patch, 'the doc shows the patch').toBeDefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kada-cert-overlay-'));
    fs.writeFileSync(path.join(dir, 'azure-cert.yaml'), patch!);
    fs.writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: ` +
        `[${path.join(k8s, 'overlays/uio')}]\npatches: [{path: azure-cert.yaml}]\n`,
    );
    const resources = renderKustomization(dir);
    const deployment = find(resources, 'Deployment', 'kada');
    expect(() => new Deployment(deployment as never).validate()).not.toThrow();
    const pod = (spec(deployment).template as PodTemplate).spec;
    const c = pod.containers[0]!;
    const { env } = containerEnv(resources, c);
    delete env.AZURE_CLIENT_SECRET;
    expect(loadConfig(env, NOW).graph.clientCertificatePath).toBe(env.AZURE_CLIENT_CERTIFICATE_PATH);
    const mount = c.volumeMounts?.find((m) => env.AZURE_CLIENT_CERTIFICATE_PATH!.startsWith(`${m.mountPath}/`));
    expect(mount, 'the certificate path is inside a mount').toBeDefined();
    expect(pod.volumes?.some((v) => v.name === mount!.name)).toBe(true);
    expect(
      c.volumeMounts?.some((m) => m.mountPath === '/tmp'),
      'the patch keeps /tmp',
    ).toBe(true);
  });
});
