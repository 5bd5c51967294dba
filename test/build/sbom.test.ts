import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** scripts/sbom.sh: the image's production dependencies as a CycloneDX SBOM, from package-lock.json. */

const root = path.resolve(__dirname, '../..');

interface Bom {
  bomFormat: string;
  specVersion: string;
  metadata: { component: { name: string; version: string } };
  components: { name: string; version: string; purl?: string }[];
}

describe('scripts/sbom.sh', () => {
  it('writes CycloneDX JSON naming kada and every production dependency, and no dev dependency', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kada-sbom-')), 'sbom.cdx.json');
    const printed = execFileSync('bash', [path.join(root, 'scripts/sbom.sh'), out], { cwd: root, encoding: 'utf8' });
    expect(printed.trim()).toBe(out);
    const bom = JSON.parse(fs.readFileSync(out, 'utf8')) as Bom;
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toMatch(/^1\.\d+$/);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(bom.metadata.component).toMatchObject({ name: pkg.name, version: pkg.version });
    const names = new Set(bom.components.map((c) => c.name));
    for (const dep of Object.keys(pkg.dependencies)) expect(names.has(dep), dep).toBe(true);
    for (const dev of Object.keys(pkg.devDependencies)) expect(names.has(dev), `${dev} is dev only`).toBe(false);
    const fastify = bom.components.find((c) => c.name === 'fastify');
    expect(fastify?.purl).toBe(`pkg:npm/fastify@${fastify?.version}`);
  });
});
