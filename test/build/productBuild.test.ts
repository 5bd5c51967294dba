import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The product build (`tsconfig.build.json`, what the image copies) holds kada and nothing of the
 * test kit: no emulator, demo driver or test support, no dev-only package, and it runs with the
 * production dependencies alone (`npm ci --omit=dev`, as the image's runtime stage installs them).
 */

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

let work: string;
let dist: string;

function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : [];
  });
}

/** Every module specifier a compiled CommonJS file loads. */
function requiresOf(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  return [...src.matchAll(/require\(\s*["']([^"']+)["']\s*\)|import\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kada-product-'));
  dist = path.join(work, 'dist');
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist],
    {
      cwd: root,
      stdio: 'pipe',
    },
  );
}, 180_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the product build', () => {
  it('holds only src/ and db/ (no testkit, test or bench folder)', () => {
    expect(fs.readdirSync(dist).sort()).toEqual(['db', 'src']);
    const files = jsFiles(dist).map((f) => path.relative(dist, f));
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => /testkit|emulator|demo|scratchDatabase/i.test(f))).toEqual([]);
  });

  it('loads no test-kit module and no dev-only package, only production dependencies', () => {
    const devOnly = new Set(Object.keys(pkg.devDependencies));
    const bad: string[] = [];
    for (const file of jsFiles(dist)) {
      for (const spec of requiresOf(file)) {
        const where = path.relative(dist, file);
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(dist + path.sep)) bad.push(`${where} -> ${spec} (outside the build)`);
          continue;
        }
        if (builtins.has(spec) || builtins.has(spec.split('/')[0]!)) continue;
        const name = packageOf(spec);
        if (devOnly.has(name) || !(name in pkg.dependencies)) bad.push(`${where} -> ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('runs `kada --help` with production dependencies only (npm ci --omit=dev)', () => {
    fs.copyFileSync(path.join(root, 'package.json'), path.join(work, 'package.json'));
    fs.copyFileSync(path.join(root, 'package-lock.json'), path.join(work, 'package-lock.json'));
    execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: work,
      stdio: 'pipe',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    expect(fs.existsSync(path.join(work, 'node_modules/vitest'))).toBe(false);
    const help = execFileSync(process.execPath, [path.join(dist, 'src/cli/main.js'), '--help'], {
      cwd: work,
      encoding: 'utf8',
    });
    expect(help).toMatch(/Usage: kada/);
    expect(help).toMatch(/migrate/);
  }, 300_000);
});
