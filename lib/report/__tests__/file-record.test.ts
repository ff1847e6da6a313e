import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordPath, takeRecord, writeRecord } from '../file-record';
import { fileRecord, finding, temporaryDir, testRecord } from './fixtures';

const dir = temporaryDir();
const testPath = '/project/__tests__/a.test.js';
const written = () => fileRecord({ testPath, tests: [testRecord({ name: 'leaks', findings: [finding()] })], warnings: ['w'] });

describe('recordPath', () => {
  test("is a hash of the test file's path under <outputDir>/records", () => {
    const file = recordPath('/out', testPath);
    expect(path.dirname(file)).toBe(path.join('/out', 'records'));
    expect(path.basename(file)).toMatch(/^[0-9a-f]{16}\.json$/);
    expect(recordPath('/out', testPath)).toBe(file);
    expect(recordPath('/out', '/project/__tests__/b.test.js')).not.toBe(file);
  });
});

describe('writeRecord and takeRecord', () => {
  test('round trip: the record taken is the record written', () => {
    writeRecord(dir(), written());
    expect(takeRecord(dir(), testPath, Date.now())).toEqual(written());
  });

  test('taking a record deletes it, so a second take finds none', () => {
    writeRecord(dir(), written());
    takeRecord(dir(), testPath, Date.now());
    expect(fs.readdirSync(path.join(dir(), 'records'))).toEqual([]);
    expect(takeRecord(dir(), testPath, Date.now())).toBeNull();
  });

  test('writes the record readable by its owner only, in a folder only its owner can enter', () => {
    writeRecord(dir(), written());
    const file = recordPath(dir(), testPath);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  test('leaves no temporary file behind', () => {
    writeRecord(dir(), written());
    expect(fs.readdirSync(path.join(dir(), 'records'))).toEqual([path.basename(recordPath(dir(), testPath))]);
  });

  test('ignores, and deletes, a record written more than a second before the run started', () => {
    writeRecord(dir(), written());
    const file = recordPath(dir(), testPath);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    expect(takeRecord(dir(), testPath, Date.now())).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
  });

  test('takes a record written within the second before the run started (clock granularity)', () => {
    writeRecord(dir(), written());
    expect(takeRecord(dir(), testPath, Date.now() + 500)).toEqual(written());
  });

  test('ignores a record of another version', () => {
    writeRecord(dir(), { ...written(), version: 2 as never });
    expect(takeRecord(dir(), testPath, Date.now())).toBeNull();
  });

  test('ignores a record whose testPath is another file', () => {
    fs.mkdirSync(path.join(dir(), 'records'));
    fs.writeFileSync(recordPath(dir(), testPath), JSON.stringify({ ...written(), testPath: '/other.test.js' }));
    expect(takeRecord(dir(), testPath, Date.now())).toBeNull();
  });

  test('is null when there is no record, or it is not JSON', () => {
    expect(takeRecord(dir(), testPath, Date.now())).toBeNull();
    fs.mkdirSync(path.join(dir(), 'records'));
    fs.writeFileSync(recordPath(dir(), testPath), '{cut');
    expect(takeRecord(dir(), testPath, Date.now())).toBeNull();
  });
});
