import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The repository (or installed package) root, found from this file whether it runs from src/ or dist/. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hunt-matcher')
      return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the hunt-matcher package root');
    dir = parent;
  }
}

/** The version in package.json (the OpenAPI document's info.version). */
export const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
