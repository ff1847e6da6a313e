/** Which test files Jest runs as native ES modules: Jest's rule, on given package types. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runsAsNativeEsm } from '../native-esm';

const commonjs = (): string | undefined => undefined;
const esModule = (): string | undefined => 'module';

test('without vm modules nothing runs as ESM', () => {
  expect(runsAsNativeEsm('/p/a.test.mjs', ['.ts'], false, esModule)).toBe(false);
});

test.each([
  ['/p/a.test.mjs', commonjs, true],
  ['/p/a.test.cjs', esModule, false],
  ['/p/a.test.js', esModule, true],
  ['/p/a.test.js', commonjs, false],
  ['/p/a.test.ts', esModule, true],
  ['/p/a.test.tsx', esModule, false],
])('%s, package type %p: %p', (file, packageType, expected) => {
  expect(runsAsNativeEsm(file, ['.ts'], true, packageType)).toBe(expected);
});

test("a .js file's package type is the nearest package.json's", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-esm-'));
  try {
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
    fs.mkdirSync(path.join(root, 'cjs', '__tests__'), { recursive: true });
    fs.writeFileSync(path.join(root, 'cjs', 'package.json'), JSON.stringify({ name: 'inner' }));
    fs.mkdirSync(path.join(root, '__tests__'));
    expect(runsAsNativeEsm(path.join(root, '__tests__', 'a.test.js'), [], true)).toBe(true);
    expect(runsAsNativeEsm(path.join(root, 'cjs', '__tests__', 'a.test.js'), [], true)).toBe(false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
