/**
 * Whether Jest runs a test file as a native ES module, by Jest's own rule (jest-resolve's
 * shouldLoadAsEsm): only with Node's vm modules on (`--experimental-vm-modules`), for `.mjs`,
 * for `.js` under a package whose `type` is `module`, and for an extension listed in
 * `extensionsToTreatAsEsm`. Node keeps such a file's modules, and its environment with them,
 * for the life of the process (jestjs/jest#14605), which is no leak of the file's own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

export function runsAsNativeEsm(
  testPath: string,
  extensionsToTreatAsEsm: readonly string[] = [],
  vmModules: boolean = typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function',
  packageType: (dir: string) => string | undefined = nearestPackageType,
): boolean {
  if (!vmModules) return false;
  const extension = path.extname(testPath);
  if (extension === '.mjs') return true;
  if (extension === '.cjs') return false;
  if (extension === '.js') return packageType(path.dirname(testPath)) === 'module';
  return extensionsToTreatAsEsm.includes(extension);
}

/** The `type` of the nearest package.json above `dir`, as Node reads it. */
function nearestPackageType(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      const type = (JSON.parse(fs.readFileSync(path.join(current, 'package.json'), 'utf8')) as { type?: unknown }).type;
      return typeof type === 'string' ? type : undefined;
    } catch (error) {
      // No package.json here (or one Node could not read either): look further up.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    }
    if (path.dirname(current) === current) return undefined;
  }
}
