// The service refuses to run dependencies that patches/ was not applied to, naming the file and the patch.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertDependenciesPatched,
  UnpatchedDependencyError,
  unpatchedFiles,
} from '../../src/platform/patchedDependencies.js';
import { projectRoot } from '../../src/platform/projectRoot.js';

const PATCH = `diff --git a/node_modules/dep/lib/a.js b/node_modules/dep/lib/a.js
--- a/node_modules/dep/lib/a.js
+++ b/node_modules/dep/lib/a.js
@@ -1,3 +1,3 @@
 const x = 1
-const y = slow(x)
+const y = fast(x) // patched
 module.exports = y
`;

function tree(installed: string): string {
  const root = mkdtempSync(join(tmpdir(), 'hm-patch-'));
  mkdirSync(join(root, 'patches'));
  writeFileSync(join(root, 'patches', 'dep+1.0.0.patch'), PATCH);
  mkdirSync(join(root, 'node_modules', 'dep', 'lib'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'dep', 'lib', 'a.js'), installed);
  return root;
}

describe('the check of patched dependencies', () => {
  it('passes when every line a patch adds is in the installed file', () => {
    expect(unpatchedFiles(tree('const x = 1\nconst y = fast(x) // patched\nmodule.exports = y\n'))).toEqual([]);
  });

  it('names the file and the patch when the installed file is as published', () => {
    const root = tree('const x = 1\nconst y = slow(x)\nmodule.exports = y\n');
    expect(unpatchedFiles(root)).toEqual(['node_modules/dep/lib/a.js (patches/dep+1.0.0.patch)']);
    expect(() => assertDependenciesPatched(root)).toThrow(UnpatchedDependencyError);
    expect(() => assertDependenciesPatched(root)).toThrow(/node_modules\/dep\/lib\/a\.js .*not patched/);
  });

  it("finds this repository's own patches applied", () => {
    expect(unpatchedFiles(projectRoot())).toEqual([]);
  });
});
