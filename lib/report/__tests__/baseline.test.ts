import * as fs from 'node:fs';
import * as path from 'node:path';
import { Baseline, loadBaseline, relativeTestFile, writeBaseline } from '../baseline';
import { configError, thrownMessage } from '../../core/__tests__/thrown';
import { temporaryDir } from './fixtures';

const dir = temporaryDir();
const OPTION = 'testEnvironmentOptions.leakwatch.baseline';
const entry = { file: '__tests__/a.test.js', test: 'keeps a cache', check: 'heap' };

// Node's own wording of a read or parse error varies by version and OS: thrownMessage reads it here.
describe('loadBaseline', () => {
  test('a missing file is an empty baseline', () => {
    expect(loadBaseline(path.join(dir(), 'none.json')).entries).toEqual([]);
  });

  test('reads the listed leaks', () => {
    const file = path.join(dir(), 'b.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, leaks: [entry] }));
    expect(loadBaseline(file).entries).toEqual([entry]);
  });

  test('a file that is not JSON is a config error naming the option and the fix', () => {
    const file = path.join(dir(), 'b.json');
    fs.writeFileSync(file, '{not json');
    const parseError = thrownMessage(() => JSON.parse('{not json'));
    expect(configError(() => loadBaseline(file))).toBe(
      `leakwatch: ${OPTION}: ${file} is not JSON (${parseError}); regenerate it with \`npx leakwatch baseline\`.`,
    );
  });

  test('entries that are not {file, test, check} strings are a config error', () => {
    const file = path.join(dir(), 'b.json');
    fs.writeFileSync(file, '{"leaks": [{"file": 1}]}');
    expect(configError(() => loadBaseline(file))).toBe(
      `leakwatch: ${OPTION}: ${file} must be {"version": 1, "leaks": [{"file", "test", "check"}, …]} with strings; regenerate it with \`npx leakwatch baseline\`.`,
    );
  });

  test('JSON null, or no leaks array, is a config error too', () => {
    const file = path.join(dir(), 'b.json');
    for (const content of ['null', '{"version": 1}']) {
      fs.writeFileSync(file, content);
      expect(configError(() => loadBaseline(file))).toMatch(/ must be \{"version": 1, "leaks"/);
    }
  });

  test('a file that cannot be read (a folder) is a config error under the option name given', () => {
    const readError = thrownMessage(() => fs.readFileSync(dir(), 'utf8'));
    expect(configError(() => loadBaseline(dir(), '--baseline'))).toBe(`leakwatch: --baseline: cannot read ${dir()} (${readError}).`);
  });
});

describe('Baseline.has', () => {
  const baseline = new Baseline([entry]);

  test('matches an entry with the same file, test and check', () => {
    expect(baseline.has({ ...entry })).toBe(true);
  });

  test('does not match when any of file, test or check differs', () => {
    expect(baseline.has({ ...entry, file: '__tests__/b.test.js' })).toBe(false);
    expect(baseline.has({ ...entry, test: 'keeps a cache too' })).toBe(false);
    expect(baseline.has({ ...entry, check: 'external' })).toBe(false);
  });

  test('fields cannot run into each other: "a b"+"c" is not "a"+"b c"', () => {
    const spaced = new Baseline([{ file: 'a b', test: 'c', check: 'heap' }]);
    expect(spaced.has({ file: 'a', test: 'b c', check: 'heap' })).toBe(false);
  });
});

describe('writeBaseline', () => {
  test('round trip: what it writes loads back', () => {
    const file = path.join(dir(), 'leakwatch.baseline.json');
    writeBaseline(file, [entry]);
    expect(loadBaseline(file).has(entry)).toBe(true);
  });

  test('writes sorted unique entries, only their three fields, as indented JSON', () => {
    const file = path.join(dir(), 'leakwatch.baseline.json');
    const other = { file: '__tests__/a.test.js', test: 'another', check: 'handles' };
    writeBaseline(file, [entry, { ...other, extra: true } as typeof other, entry]);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${JSON.stringify({ version: 1, leaks: [other, entry] }, null, 2)}\n`);
  });
});

describe('relativeTestFile', () => {
  test('is relative to rootDir with forward slashes', () => {
    const rootDir = path.resolve('/project');
    expect(relativeTestFile(rootDir, path.join(rootDir, '__tests__', 'deep', 'a.test.js'))).toBe('__tests__/deep/a.test.js');
  });
});
