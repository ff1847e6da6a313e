#!/usr/bin/env node
// External memory (Buffers, ArrayBuffers) of clean test files: how much more there is after a
// full GC and a scavenge at the file's end (run_finish, after the last afterAll) than at its
// start (the environment's setup), and after its teardown. Runs plain jest-environment-node
// with those three readings on the clean fixtures, in band.
// Usage: node scripts/file-external-noise.js [29|30]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const version = process.argv[2] ?? '30';
const testEnv = path.join(root, 'test-env', `jest${version}`);
const jestBin = path.join(testEnv, 'node_modules', 'jest', 'bin', 'jest.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-external-noise-'));
const out = path.join(work, 'readings.jsonl');
const envFile = path.join(work, 'environment.js');
fs.writeFileSync(
  envFile,
  `'use strict';
const fs = require('node:fs');
const { TestEnvironment } = require(${JSON.stringify(path.join(testEnv, 'node_modules', 'jest-environment-node'))});
const { getGc } = require(${JSON.stringify(path.join(root, 'dist', 'core', 'gc.js'))});
const gc = getGc();
const read = () => { gc(); gc({ type: 'minor' }); const m = process.memoryUsage(); return m.external + m.arrayBuffers; };
module.exports = class extends TestEnvironment {
  constructor(config, context) { super(config, context); this.file = context.testPath; }
  async setup() { await super.setup(); this.start = read(); }
  async handleTestEvent(event) { if (event.name === 'run_finish') this.end = read(); }
  async teardown() {
    await super.teardown();
    const after = read();
    fs.appendFileSync(${JSON.stringify(out)}, JSON.stringify({ file: this.file, end: this.end - this.start, afterTeardown: after - this.start }) + '\\n');
  }
};
`,
);
const runs = [
  ['heap-clean', []],
  ['corpus', ['__tests__/clean']],
  ['file-level', ['fixture-dropped', 'listener-removed', 'server-closed', 'temp-dir-removed', 'external-kept-in-module']],
];
for (const [fixture, patterns] of runs) {
  const config = { rootDir: path.join(root, 'fixtures', fixture), testEnvironment: envFile };
  spawnSync(process.execPath, [jestBin, '-i', '--ci', `--config=${JSON.stringify(config)}`, ...patterns], { cwd: root, encoding: 'utf8' });
}
const rows = fs
  .readFileSync(out, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const row of rows)
  console.log(
    `${path.relative(root, row.file).padEnd(70)} end ${kb(row.end).padStart(10)}  after teardown ${kb(row.afterTeardown).padStart(10)}`,
  );
const ends = rows.map((row) => row.end).sort((a, b) => a - b);
console.log(
  `${rows.length} files; end − start: min ${kb(ends[0])}, median ${kb(ends[Math.floor(ends.length / 2)])}, max ${kb(ends.at(-1))}`,
);
fs.rmSync(work, { recursive: true, force: true });
