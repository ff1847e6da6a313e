// @ts-check
/**
 * A test file whose environment outlives it (a Node built-in it patched, a listener it left on
 * the real process.stdout) is named after the file, with what holds it and the line defining
 * that; the clean twins, which let go in afterAll, are not. Test results stand: all pass.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runJest, JEST_VERSIONS, root } = require('./helpers/run-jest');

const HELD = {
  'patches-http.test.js':
    /leakwatch: __tests__\/patches-http\.test\.js: its environment was not freed after the file ended: ~[\d.]+ MB stays in memory\.\n.*\n {2}Held by: require\('node:http'\) → \.get \(function patchedGet\), defined at __tests__\/patches-http\.test\.js:5\n(?: {2}Through it.*\n)? {2}Restore the original function when the file ends/,
  'stdout-listener.test.js':
    /leakwatch: __tests__\/stdout-listener\.test\.js: its environment was not freed after the file ended: ~[\d.]+ MB stays in memory\.\n.*\n {2}Held by: (?:Socket|stdout \((?:SyncWriteStream|Socket)\)) → \._events → \.resize \(function onResize\), defined at __tests__\/stdout-listener\.test\.js:2\n(?: {2}Through it.*\n)? {2}Remove that listener when the file ends/,
};
const CLEAN = ['restores-http.test.js', 'stdout-listener-removed.test.js', 'process-listener.test.js', 'plain.test.js'];

/** Whether stderr names `file` as a retained file. */
function named(/** @type {string} */ stderr, /** @type {string} */ file) {
  return stderr.includes(`leakwatch: __tests__/${file}: its environment was not freed`);
}

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  // Without the reporter, a file is looked at only once later files of its process have run
  // (the last files of a process can linger for reasons no heap snapshot shows), so whether
  // these six get there depends on how Jest spreads them. What must hold: no clean file named.
  describe.each([
    ['workers', ['-w', '2']],
    ['in band', ['-i']],
  ])('%s, without the reporter', (_mode, args) => {
    /** @type {ReturnType<typeof runJest>} */
    let run;
    beforeAll(() => {
      run = runJest(version, 'retained-environment', { args, freshCache: true });
    });

    test('every test passes and the run succeeds', () => {
      expect([...run.tests.values()].map((t) => t.status)).toEqual(Array(6).fill('passed'));
      // A failed file's message, if any, shows in the diff.
      expect(run.files.filter((f) => f.status !== 'passed').map((f) => `${f.name}: ${f.message}`)).toEqual([]);
      expect(run.exitCode === 0 ? '' : run.stderr).toBe('');
    });

    test.each(CLEAN)('%s is not named', (name) => {
      expect(named(run.stderr, name)).toBe(false);
    });
  });

  describe('in band, with the reporter', () => {
    /** @type {ReturnType<typeof runJest>} */
    let run;
    /** @type {any} */
    let report;
    const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-retained-'));
    afterAll(() => fs.rmSync(outputDir, { recursive: true, force: true }));
    beforeAll(() => {
      run = runJest(version, 'retained-environment', {
        args: ['-i', '--config', 'jest.report.config.js'],
        env: { LEAKWATCH_INSTALLED: path.join(root, 'test-env', `jest${version}`, 'node_modules'), LEAKWATCH_OUTPUT_DIR: outputDir },
      });
      report = JSON.parse(fs.readFileSync(path.join(outputDir, 'report.json'), 'utf8'));
    });

    test('every test passes and the run succeeds: a retained environment is reported, not failed', () => {
      expect([...run.tests.values()].map((t) => t.status)).toEqual(Array(6).fill('passed'));
      expect(run.exitCode).toBe(0);
    });

    test.each(Object.entries(HELD))('%s is named with what holds it, its line and the fix', (_name, message) => {
      expect(run.stderr).toMatch(message);
    });

    test.each(CLEAN)('%s, which lets go (or never held on), is not named', (name) => {
      expect(named(run.stderr, name)).toBe(false);
    });

    test('report.json lists exactly the retained files, with size and holder', () => {
      const listed = report.retained.map((/** @type {any} */ r) => [r.file, r.holder.replace(/ \(__tests__.*\)$/, '')]).sort();
      expect(listed).toEqual([
        ['__tests__/patches-http.test.js', "require('node:http') → .get (function patchedGet)"],
        [
          '__tests__/stdout-listener.test.js',
          expect.stringMatching(/^(Socket|stdout \((?:SyncWriteStream|Socket)\)) → \._events → \.resize \(function onResize\)$/),
        ],
      ]);
      for (const retained of report.retained) expect(retained.bytes).toBeGreaterThan(1024 * 1024);
    });

    test("the summary's growth section names them", () => {
      expect(run.stderr).toMatch(
        / {2}Environments not freed after their file ended \(the heap grows file after file\):\n {4}__tests__\/\S+ ~[\d.]+ MB — held by /,
      );
      expect(run.stderr).toContain('__tests__/patches-http.test.js ~');
      expect(run.stderr).toContain('__tests__/stdout-listener.test.js ~');
    });
  });
});
