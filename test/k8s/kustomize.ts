import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

/**
 * The subset of `kustomize build` that k8s/ uses, so the manifests can be tested without a
 * kustomize binary: `resources` (files and directories), `components` (kustomize.config.k8s.io/v1alpha1
 * Component directories with resources and patches, applied after the resources as kustomize does),
 * `patches` (strategic merge, target taken from the patch's own apiVersion/kind/name), `namespace`
 * (not set on cluster-scoped kinds) and `images`. Anything else in a
 * kustomization, an unknown kind, or a patch construct this renderer does not implement is an
 * error rather than a silently different rendering: extend this file (checking what kustomize does)
 * before using more of kustomize in k8s/.
 *
 * Not reproduced: kustomize's output order (resources come out in the order listed).
 */

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export class KustomizeError extends Error {
  constructor(
    readonly code: 'KUSTOMIZE_UNSUPPORTED' | 'KUSTOMIZE_INVALID' | 'KUSTOMIZE_PATCH_TARGET',
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'KustomizeError';
  }
}

const imageSchema = z
  .object({
    name: z.string().min(1),
    newName: z.string().min(1).optional(),
    newTag: z.string().min(1).optional(),
    digest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/)
      .optional(),
  })
  .strict();

export type ImageOverride = z.infer<typeof imageSchema>;

const kustomizationSchema = z
  .object({
    apiVersion: z.literal('kustomize.config.k8s.io/v1beta1'),
    kind: z.literal('Kustomization'),
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .optional(),
    resources: z.array(z.string().min(1)).default([]),
    components: z.array(z.string().min(1)).default([]),
    images: z.array(imageSchema).default([]),
    patches: z.array(z.object({ path: z.string().min(1) }).strict()).default([]),
  })
  .strict();

/** A kustomize Component as k8s/ uses one: resources and patches only. */
const componentSchema = z
  .object({
    apiVersion: z.literal('kustomize.config.k8s.io/v1alpha1'),
    kind: z.literal('Component'),
    resources: z.array(z.string().min(1)).default([]),
    patches: z.array(z.object({ path: z.string().min(1) }).strict()).default([]),
  })
  .strict();

export type Kustomization = z.infer<typeof kustomizationSchema>;

const resourceSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional() }),
});

/** Kinds whose every kustomize transformation this renderer reproduces. */
const KNOWN_KINDS = new Set([
  'Namespace',
  'PodMonitor',
  'PrometheusRule',
  'ServiceAccount',
  'ConfigMap',
  'Secret',
  'Service',
  'Deployment',
  'Job',
  'CronJob',
  'PodDisruptionBudget',
  'NetworkPolicy',
]);

/** Cluster-scoped kinds: kustomize's `namespace` leaves them alone. */
const CLUSTER_SCOPED = new Set(['Namespace']);

/** Renders the kustomization in `dir` (which holds kustomization.yaml), like `kustomize build dir`. */
export function renderKustomization(dir: string): Resource[] {
  const kfile = path.join(dir, 'kustomization.yaml');
  const k = readKustomization(kfile);

  let resources = loadResources(dir, k.resources, kfile);
  // kustomize applies components after the resources, before the kustomization's own transformers.
  for (const entry of k.components) {
    const cdir = path.resolve(dir, entry);
    const cfile = path.join(cdir, 'kustomization.yaml');
    if (!fs.existsSync(cfile))
      throw new KustomizeError('KUSTOMIZE_INVALID', `component ${entry} does not exist`, kfile);
    const c = readComponent(cfile);
    resources.push(...loadResources(cdir, c.resources, cfile));
    assertUniqueIds(resources, cfile);
    resources = applyPatches(resources, cdir, c.patches);
  }

  // kustomize's built-in order: patches, then namespace, then images.
  resources = applyPatches(resources, dir, k.patches);
  if (k.namespace) {
    const ns = k.namespace;
    resources = resources.map((r) =>
      CLUSTER_SCOPED.has(r.kind) ? r : { ...r, metadata: { ...r.metadata, namespace: ns } },
    );
  }
  if (k.images.length) resources = resources.map((r) => applyImages(r, k.images));
  return resources;
}

function loadResources(dir: string, entries: string[], kfile: string): Resource[] {
  const resources: Resource[] = [];
  for (const entry of entries) {
    const p = path.resolve(dir, entry);
    if (!fs.existsSync(p)) throw new KustomizeError('KUSTOMIZE_INVALID', `resource ${entry} does not exist`, kfile);
    resources.push(...(fs.statSync(p).isDirectory() ? renderKustomization(p) : readResources(p)));
  }
  assertUniqueIds(resources, kfile);
  return resources;
}

function applyPatches(resources: Resource[], dir: string, patches: { path: string }[]): Resource[] {
  let out = resources;
  for (const patch of patches) {
    const file = path.resolve(dir, patch.path);
    const docs = readYaml(file);
    if (docs.length !== 1)
      throw new KustomizeError('KUSTOMIZE_UNSUPPORTED', 'a patch file must hold exactly one document', file);
    out = applyPatch(out, parseResource(docs[0], file), file);
  }
  return out;
}

export function readKustomization(file: string): Kustomization {
  return parseKustomizationFile(file, kustomizationSchema);
}

export function readComponent(file: string): z.infer<typeof componentSchema> {
  return parseKustomizationFile(file, componentSchema);
}

function parseKustomizationFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  const docs = readYaml(file);
  if (docs.length !== 1) throw new KustomizeError('KUSTOMIZE_INVALID', 'expected one document', file);
  const parsed = schema.safeParse(docs[0]);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? `not supported by this renderer: ${i.keys.join(', ')}`
        : `${i.path.join('.')}: ${i.message}`,
    );
    throw new KustomizeError('KUSTOMIZE_UNSUPPORTED', issues.join('; '), file);
  }
  return parsed.data;
}

/** Every non-empty YAML document in `file`; a YAML syntax error is an error. */
export function readYaml(file: string): unknown[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length)
      throw new KustomizeError('KUSTOMIZE_INVALID', doc.errors.map((e) => e.message).join('; '), file);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function readResources(file: string): Resource[] {
  return readYaml(file).map((doc) => parseResource(doc, file));
}

function parseResource(doc: unknown, file: string): Resource {
  const parsed = resourceSchema.safeParse(doc);
  if (!parsed.success)
    throw new KustomizeError('KUSTOMIZE_INVALID', `not a Kubernetes object: ${parsed.error.message}`, file);
  const r = parsed.data as Resource;
  if (!KNOWN_KINDS.has(r.kind))
    throw new KustomizeError('KUSTOMIZE_UNSUPPORTED', `kind ${r.kind} is not handled by this renderer`, file);
  return r;
}

const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

function idOf(r: Resource): string {
  return `${group(r.apiVersion)}/${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
}

function assertUniqueIds(resources: Resource[], file: string): void {
  const seen = new Set<string>();
  for (const r of resources) {
    const id = idOf(r);
    if (seen.has(id)) throw new KustomizeError('KUSTOMIZE_INVALID', `resource ${id} is listed twice`, file);
    seen.add(id);
  }
}

function applyPatch(resources: Resource[], patch: Resource, file: string): Resource[] {
  const matches = (r: Resource) =>
    r.kind === patch.kind &&
    group(r.apiVersion) === group(patch.apiVersion) &&
    r.metadata.name === patch.metadata.name &&
    (patch.metadata.namespace === undefined || r.metadata.namespace === patch.metadata.namespace);
  const count = resources.filter(matches).length;
  if (count !== 1) {
    throw new KustomizeError(
      'KUSTOMIZE_PATCH_TARGET',
      `patch for ${patch.kind}/${patch.metadata.name} matches ${count} resources`,
      file,
    );
  }
  return resources.map((r) => (matches(r) ? (strategicMerge(r, patch) as Resource) : r));
}

/**
 * Lists that Kubernetes merges by a key instead of replacing (patchMergeKey in the API types).
 * Lists not named here and not in UNSUPPORTED_LISTS are replaced, as strategic merge does for
 * lists without a merge strategy (NetworkPolicy egress, args, command...).
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
};

/** Merged lists whose key depends on where they are (container vs Service ports) or that merge primitives. */
const UNSUPPORTED_LISTS = new Set([
  'ports',
  'hostAliases',
  'topologySpreadConstraints',
  'volumeDevices',
  'finalizers',
  'ownerReferences',
  'resourceClaims',
  'schedulingGates',
  'resizePolicy',
]);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Kubernetes strategic merge patch, for the constructs described above; returns a new value. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(base) ? structuredClone(base) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$'))
      throw new KustomizeError('KUSTOMIZE_UNSUPPORTED', `patch directive ${key} is not supported`);
    if (value === null) {
      delete out[key];
    } else if (Array.isArray(value)) {
      if (UNSUPPORTED_LISTS.has(key))
        throw new KustomizeError('KUSTOMIZE_UNSUPPORTED', `patching the list ${key} is not supported`);
      const mergeKey = MERGE_KEYS[key];
      out[key] = mergeKey ? mergeList(out[key], value, mergeKey, key) : structuredClone(value);
    } else if (isPlainObject(value)) {
      out[key] = strategicMerge(out[key], value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function mergeList(base: unknown, patch: unknown[], mergeKey: string, field: string): unknown[] {
  const out = Array.isArray(base) ? structuredClone(base) : [];
  for (const item of patch) {
    if (!isPlainObject(item) || typeof item[mergeKey] !== 'string') {
      throw new KustomizeError(
        'KUSTOMIZE_UNSUPPORTED',
        `every item patched into ${field} needs its merge key ${mergeKey}`,
      );
    }
    const at = out.findIndex((o) => isPlainObject(o) && o[mergeKey] === item[mergeKey]);
    if (at >= 0) out[at] = strategicMerge(out[at], item);
    else out.push(structuredClone(item));
  }
  return out;
}

/** Splits `registry:5000/repo/name:tag@sha256:...` into its parts (a port is not a tag). */
export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [rest, digest] = image.split('@', 2) as [string, string | undefined];
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  return { name: hasTag ? rest.slice(0, colon) : rest, tag: hasTag ? rest.slice(colon + 1) : undefined, digest };
}

/** kustomize's `images`: rewrites the image of every container and init container that names one. */
export function applyImages<T>(node: T, images: ImageOverride[]): T {
  if (Array.isArray(node)) return node.map((n) => applyImages(n, images)) as T;
  if (!isPlainObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      out[key] = value.map((c) =>
        isPlainObject(c) && typeof c.image === 'string' ? { ...c, image: rewriteImage(c.image, images) } : c,
      );
    } else {
      out[key] = applyImages(value, images);
    }
  }
  return out as T;
}

function rewriteImage(image: string, images: ImageOverride[]): string {
  const parsed = parseImage(image);
  const rule = images.find((i) => i.name === parsed.name);
  if (!rule) return image;
  const name = rule.newName ?? parsed.name;
  if (rule.digest) return `${name}@${rule.digest}`;
  const tag = rule.newTag ?? parsed.tag;
  return `${name}${tag ? `:${tag}` : ''}${!rule.newTag && parsed.digest ? `@${parsed.digest}` : ''}`;
}
