import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { applyImages, KustomizeError, parseImage, renderKustomization, strategicMerge } from './kustomize';

/** Writes `files` (relative path -> content) into a fresh temporary directory and returns it. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kada-kustomize-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const K = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: app
          image: app:1
          args: [serve]
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
        - name: sidecar
          image: proxy:2
`;

describe('strategicMerge', () => {
  it('merges containers and env by name, replaces plain lists and deletes on null', () => {
    const merged = strategicMerge(
      {
        spec: {
          replicas: 1,
          paused: false,
          containers: [{ name: 'a', args: ['x', 'y'], env: [{ name: 'A', value: '1' }] }],
        },
      },
      {
        spec: {
          paused: null,
          containers: [
            {
              name: 'a',
              args: ['z'],
              env: [
                { name: 'A', value: '9' },
                { name: 'C', value: '3' },
              ],
            },
          ],
        },
      },
    );
    expect(merged).toEqual({
      spec: {
        replicas: 1,
        containers: [
          {
            name: 'a',
            args: ['z'],
            env: [
              { name: 'A', value: '9' },
              { name: 'C', value: '3' },
            ],
          },
        ],
      },
    });
  });

  it('merges volume mounts by mount path', () => {
    const merged = strategicMerge(
      { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] },
      { volumeMounts: [{ name: 'scratch', mountPath: '/tmp', readOnly: true }] },
    );
    expect(merged).toEqual({ volumeMounts: [{ name: 'scratch', mountPath: '/tmp', readOnly: true }] });
  });

  it('leaves its inputs untouched', () => {
    const base = { data: { A: '1' } };
    strategicMerge(base, { data: { B: '2' } });
    expect(base).toEqual({ data: { A: '1' } });
  });

  it('refuses what it does not implement instead of guessing', () => {
    expect(() => strategicMerge({}, { ports: [{ port: 80 }] })).toThrow(KustomizeError);
    expect(() => strategicMerge({}, { $patch: 'delete' })).toThrow(/directive/);
    expect(() => strategicMerge({}, { env: [{ value: 'no name' }] })).toThrow(/merge key name/);
  });
});

describe('images', () => {
  it('tells a registry port from a tag', () => {
    expect(parseImage('registry:5000/team/app:1.2@sha256:ab')).toEqual({
      name: 'registry:5000/team/app',
      tag: '1.2',
      digest: 'sha256:ab',
    });
    expect(parseImage('registry:5000/team/app')).toEqual({
      name: 'registry:5000/team/app',
      tag: undefined,
      digest: undefined,
    });
  });

  it('rewrites only the containers whose image it names', () => {
    const pod = {
      spec: {
        initContainers: [{ name: 'i', image: 'app' }],
        containers: [
          { name: 'a', image: 'app:1' },
          { name: 's', image: 'proxy:2' },
        ],
      },
    };
    expect(applyImages(pod, [{ name: 'app', newName: 'reg.example/app', newTag: '2' }])).toEqual({
      spec: {
        initContainers: [{ name: 'i', image: 'reg.example/app:2' }],
        containers: [
          { name: 'a', image: 'reg.example/app:2' },
          { name: 's', image: 'proxy:2' },
        ],
      },
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(applyImages({ containers: [{ image: 'app:1' }] }, [{ name: 'app', digest }])).toEqual({
      containers: [{ image: `app@${digest}` }],
    });
  });
});

describe('renderKustomization', () => {
  it('renders base resources through an overlay with patches, namespace and images', () => {
    const dir = tree({
      'base/kustomization.yaml': `${K}resources: [deployment.yaml, config.yaml]\n`,
      'base/deployment.yaml': deployment,
      'base/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {A: "1"}\n---\n',
      'overlay/kustomization.yaml':
        `${K}namespace: team\nresources: [../base]\nimages: [{name: app, newName: ` +
        `reg/app, newTag: "7"}]\npatches: [{path: p.yaml}, {path: d.yaml}]\n`,
      'overlay/p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {B: "2"}\n',
      'overlay/d.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      ' +
        'containers: [{name: app, env: [{name: B, value: "20"}]}]\n',
    });
    const out = renderKustomization(path.join(dir, 'overlay'));
    expect(out.map((r) => `${r.metadata.namespace}/${r.kind}/${r.metadata.name}`)).toEqual([
      'team/Deployment/app',
      'team/ConfigMap/cfg',
    ]);
    expect(out[1]).toMatchObject({ data: { A: '1', B: '2' } });
    const containers = (out[0]!.spec as { template: { spec: { containers: { image: string; env?: unknown[] }[] } } })
      .template.spec.containers;
    expect(containers.map((c) => c.image)).toEqual(['reg/app:7', 'proxy:2']);
    expect(containers[0]!.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '20' },
    ]);
  });

  it("adds a component's resources and patches after the resources, before the namespace; not to a Namespace", () => {
    const dir = tree({
      'base/kustomization.yaml': `${K}resources: [config.yaml]\n`,
      'base/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {A: "1"}\n',
      'comp/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n' +
        'resources: [pm.yaml]\npatches: [{path: p.yaml}]\n',
      'comp/pm.yaml': 'apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: pm}\nspec: {}\n',
      'comp/p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {B: "2"}\n',
      'overlay/kustomization.yaml': `${K}namespace: team\nresources: [ns.yaml, ../base]\ncomponents: [../comp]\n`,
      'overlay/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n',
    });
    const out = renderKustomization(path.join(dir, 'overlay'));
    expect(out.map((r) => `${r.metadata.namespace ?? '-'}/${r.kind}/${r.metadata.name}`)).toEqual([
      '-/Namespace/team',
      'team/ConfigMap/cfg',
      'team/PodMonitor/pm',
    ]);
    expect(out[1]).toMatchObject({ data: { A: '1', B: '2' } });
  });

  it('refuses a component listed as a resource, and a kustomization listed as a component', () => {
    const comp = 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: []\n';
    const asResource = tree({ 'c/kustomization.yaml': comp, 'kustomization.yaml': `${K}resources: [c]\n` });
    expect(() => renderKustomization(asResource)).toThrow(KustomizeError);
    const asComponent = tree({
      'c/kustomization.yaml': `${K}resources: []\n`,
      'kustomization.yaml': `${K}components: [c]\n`,
    });
    expect(() => renderKustomization(asComponent)).toThrow(KustomizeError);
  });

  it('rejects kustomize features it does not implement', () => {
    const dir = tree({ 'kustomization.yaml': `${K}resources: []\nconfigMapGenerator: [{name: x, literals: [A=1]}]\n` });
    expect(() => renderKustomization(dir)).toThrow(/not supported by this renderer: configMapGenerator/);
  });

  it('rejects a patch that matches nothing', () => {
    const dir = tree({
      'kustomization.yaml': `${K}resources: [d.yaml]\npatches: [{path: p.yaml}]\n`,
      'd.yaml': deployment,
      'p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\nspec: {replicas: 3}\n',
    });
    expect(() => renderKustomization(dir)).toThrow(/matches 0 resources/);
  });

  it('rejects kinds whose kustomize handling it does not reproduce', () => {
    const dir = tree({
      'kustomization.yaml': `${K}resources: [rb.yaml]\n`,
      'rb.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n',
    });
    expect(() => renderKustomization(dir)).toThrow(/kind RoleBinding/);
  });
});
