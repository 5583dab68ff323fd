// patch-package applies patches/ when dependencies are installed (package.json's postinstall). An
// install with --ignore-scripts, or an image that skipped it, runs the dependencies as published,
// without a word: the service would still work, only without what the patch changes. The service
// checks at start that every line a patch adds is in the installed file, and refuses to start,
// naming the file and the patch, when one is missing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './projectRoot.js';

export class UnpatchedDependencyError extends Error {
  override name = 'UnpatchedDependencyError';
}

/** The files a patch leaves unpatched, as "node_modules/x/y.js (patches/z.patch)"; empty when all are. */
export function unpatchedFiles(root: string = projectRoot()): string[] {
  const dir = join(root, 'patches');
  if (!existsSync(dir)) return [];
  const missing: string[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.patch'))) {
    for (const { file, added } of addedLines(readFileSync(join(dir, name), 'utf8'))) {
      const path = join(root, file);
      const installed = existsSync(path)
        ? new Set(
            readFileSync(path, 'utf8')
              .split('\n')
              .map((l) => l.trim()),
          )
        : null;
      if (!installed || added.some((line) => !installed.has(line))) missing.push(`${file} (patches/${name})`);
    }
  }
  return missing;
}

/** Throws when a patch of patches/ is not applied to the installed dependencies. */
export function assertDependenciesPatched(root?: string): void {
  const missing = unpatchedFiles(root);
  if (missing.length > 0)
    throw new UnpatchedDependencyError(
      `${missing.join(', ')}: not patched. Install with scripts (npm ci, not --ignore-scripts) or run npx patch-package.`,
    );
}

/** Each file of a unified diff and the non-blank lines it adds, trimmed. */
function addedLines(patch: string): Array<{ file: string; added: string[] }> {
  const files: Array<{ file: string; added: string[] }> = [];
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++ ')) files.push({ file: line.slice(4).replace(/^b\//, '').trim(), added: [] });
    else if (line.startsWith('+') && files.length > 0) {
      const text = line.slice(1).trim();
      if (text !== '') files[files.length - 1]!.added.push(text);
    }
  }
  return files;
}
