import fs from 'node:fs';
import path from 'node:path';

/** The repository root (the folder with kada's package.json), wherever the bench was compiled to. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kada')
      return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}
