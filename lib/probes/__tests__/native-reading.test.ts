import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadedAddons, openStatm, pageSizeOf, parseStatm, unaccounted } from '../native-reading';

describe('parseStatm', () => {
  test('anonymous pages are resident minus shared', () => {
    expect(parseStatm('257070 20488 9857 6802 0 22322 0\n')).toBe(20488 - 9857);
  });

  test('text that is not statm gives null', () => {
    expect(parseStatm('')).toBeNull();
    expect(parseStatm('12 abc 3')).toBeNull();
    expect(parseStatm('12 5')).toBeNull();
  });

  test('more shared than resident pages gives null', () => {
    expect(parseStatm('100 10 20 0 0 0 0')).toBeNull();
  });
});

describe('pageSizeOf', () => {
  test('is the RSS over the resident pages, rounded to a power of two', () => {
    expect(pageSizeOf(4096 * 1000 + 300, 1000)).toBe(4096);
    expect(pageSizeOf(65536 * 50, 50)).toBe(65536);
  });

  test('is null for numbers that give no plausible page size', () => {
    expect(pageSizeOf(0, 100)).toBeNull();
    expect(pageSizeOf(4096, 0)).toBeNull();
    expect(pageSizeOf(100, 100)).toBeNull();
  });
});

describe('unaccounted', () => {
  test('is the anonymous memory minus the heap pages, external memory and V8 malloc', () => {
    expect(unaccounted({ anonymous: 100, heapPhysical: 40, external: 25, v8Malloced: 5 })).toBe(30);
  });
});

describe('openStatm', () => {
  test('is null where there is no statm file (not Linux)', () => {
    expect(openStatm(path.join(os.tmpdir(), 'leakwatch-no-such-statm'))).toBeNull();
  });

  test('reads the anonymous bytes again on each read', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-statm-')), 'statm');
    const resident = Math.round(process.memoryUsage.rss() / 4096);
    fs.writeFileSync(file, `900000 ${resident} 100 7 0 5000 0\n`);
    const statm = openStatm(file);
    try {
      expect(statm?.read()).toBe((resident - 100) * 4096);
      fs.writeFileSync(file, `900000 ${resident + 10} 100 7 0 5000 0\n`);
      expect(statm?.read()).toBe((resident + 10 - 100) * 4096);
    } finally {
      statm?.close();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  (process.platform === 'linux' ? describe : describe.skip)('on Linux only (no /proc elsewhere)', () => {
    test('reads this process', () => {
      const statm = openStatm();
      expect(statm?.read()).toBeGreaterThan(0);
      statm?.close();
    });
  });
});

describe('loadedAddons', () => {
  const maps = [
    '7f0000000000-7f0000001000 r-xp 00000000 08:01 123 /app/node_modules/sqlite/build/Release/sqlite.node',
    '7f0000001000-7f0000002000 r--p 00001000 08:01 123 /app/node_modules/sqlite/build/Release/sqlite.node',
    '7f0000002000-7f0000003000 r-xp 00000000 08:01 124 /usr/lib/x86_64-linux-gnu/libz.so.1',
    '7f0000003000-7f0000004000 rw-p 00000000 00:00 0 ',
    '7f0000004000-7f0000005000 r-xp 00000000 08:01 125 /app/node_modules/@datadog/pprof/prebuilds/linux-x64/dd_pprof.node.abi115.node',
  ].join('\n');

  test('lists each .node file once, without the excluded ones', () => {
    expect(loadedAddons(maps, (file) => file.includes('@datadog/pprof'))).toEqual(['/app/node_modules/sqlite/build/Release/sqlite.node']);
  });
});
