import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clearExample, declarationLine, ModuleHolders } from '../module-holders';

const rootDir = path.join(os.tmpdir(), 'leakwatch-holders-project');
const file = (relative: string) => path.join(rootDir, relative);
const holders = (allow: string[] = []) => new ModuleHolders({ rootDir, testFile: file('__tests__/api.test.js'), allow });
const cache = { label: 'cache', kind: 'Map', file: file('src/api.js') };

test("the project's modules count; test files, mocks, libraries and files outside rootDir do not", () => {
  const check = holders();
  expect(check.isModuleFile(file('src/api.js'))).toBe(true);
  expect(check.isModuleFile(file('__tests__/api.test.js'))).toBe(false);
  expect(check.isModuleFile(file('src/api.spec.ts'))).toBe(false);
  expect(check.isModuleFile(file('src/__mocks__/api.js'))).toBe(false);
  expect(check.isModuleFile(file('node_modules/lib/index.js'))).toBe(false);
  expect(check.isModuleFile('/elsewhere/api.js')).toBe(false);
  expect(check.isModuleFile('node:internal/util')).toBe(false);
});

test.each([['src/api.js'], ['cache'], ['src/api.js:cache'], ['src/']])('an allow entry %p skips the holder', (entry) => {
  expect(holders([entry]).skipped(cache)).toBe(true);
});

test.each([['src/other.js'], ['store'], ['src/other.js:cache'], ['lib/']])('an allow entry %p does not', (entry) => {
  expect(holders([entry]).skipped(cache)).toBe(false);
});

test('a holder reported once is skipped after', () => {
  const check = holders();
  check.markReported(cache);
  expect(check.skipped(cache)).toBe(true);
  expect(check.skipped({ ...cache, label: 'store.byId' })).toBe(false);
});

test('names the holder with its declaration line, and the allow entry that would name it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-holders-'));
  const source = path.join(dir, 'src', 'store.js');
  fs.mkdirSync(path.dirname(source));
  fs.writeFileSync(source, "'use strict';\n\nconst store = { byId: new Map() };\n");
  try {
    const check = new ModuleHolders({ rootDir: dir, testFile: '', allow: [] });
    const holder = { label: 'store.byId', kind: 'Map', file: source };
    expect(check.name(holder)).toBe('store.byId (Map) in src/store.js:3');
    expect(check.allowEntry(holder)).toBe('src/store.js:store');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a plain object's key is a field when its module names it so", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-fields-'));
  const source = path.join(dir, 'settings.js');
  fs.writeFileSync(
    source,
    'const settings = {};\nconst memo = {};\nexports.get = () => (settings?.table ??= build());\nexports.memo = (k) => (memo[k] ??= build());\n',
  );
  try {
    const check = new ModuleHolders({ rootDir: dir, testFile: '', allow: [] });
    expect(check.namesField({ label: 'settings', kind: 'Object', file: source }, ['table'])).toBe(true);
    expect(check.namesField({ label: 'memo', kind: 'Object', file: source }, ['table'])).toBe(false);
    expect(check.namesField({ label: 'memo', kind: 'Object', file: source }, ['k'])).toBe(false);
    expect(check.namesField({ label: 'settings', kind: 'Object', file: path.join(dir, 'gone.js') }, ['table'])).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  ['Map', 'cache.clear()'],
  ['Set', 'cache.clear()'],
  ['Array', 'cache.length = 0'],
  ['Object', 'for (const key in cache) delete cache[key]'],
])('a %s is emptied by %p', (kind, example) => {
  expect(clearExample({ label: 'cache', kind, file: '' })).toBe(example);
});

test.each([
  ['const cache = new Map();', 1],
  ['export let cache = [];', 1],
  ['var { cache, other } = make();', 1],
  ['export default class cache {', 1],
  ['async function cache() {', 1],
  ['exports.cache = new Cache();', 1],
  ['module.exports.cache = new Cache();', 1],
  ['exports.cache == null;', null],
  ['const cacheSize = 3;', null],
])('declarationLine finds %p: %p', (line, expected) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-decl-'));
  const source = path.join(dir, 'a.js');
  fs.writeFileSync(source, `${line}\n`);
  try {
    expect(declarationLine(source, 'cache')).toBe(expected);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
