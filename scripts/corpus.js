#!/usr/bin/env node
// npm run corpus: runs the leak corpus (fixtures/corpus) under leakwatch and under plain
// jest-environment-node with Jest's --detectLeaks, and prints recall per kind and false
// positives for both. Leaking tests are named `leak[<kind>] <pattern>` (one per file), clean
// tests `clean ...`. --detectLeaks judges whole files, so it is credited with a pattern when
// it flags the pattern's file, and charged with every clean test in a file it flags.
// Usage: node scripts/corpus.js [--runs N] [--jest 29|30] [--no-detect-leaks]
//   --runs N  runs leakwatch N times (default 1) and says whether the set of failed tests
//             was the same every time.
// Exit status 1 when a clean test, or a file at file level, failed under leakwatch in any run
// (or Jest did not report).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { scriptArgs } = require('./script-args');

const root = path.resolve(__dirname, '..');
const corpus = path.join(root, 'fixtures', 'corpus');
const cli = scriptArgs('usage: node scripts/corpus.js [--runs N] [--jest 29|30] [--no-detect-leaks]');
const runs = cli.count('--runs', 1, 'runs');
const version = cli.jestMajor();
const detectLeaks = !cli.flag('--no-detect-leaks');
if (cli.args.length > 0) cli.fail(`${cli.args[0]}: not an option of the corpus run`);
const jestDir = path.join(root, 'test-env', `jest${version}`, 'node_modules');
const jestBin = path.join(jestDir, 'jest', 'bin', 'jest.js');
if (!fs.existsSync(path.join(jestDir, 'jest-environment-leakwatch', 'dist', 'index.js'))) {
  console.error(`corpus: leakwatch is not installed in test-env/jest${version}; run \`npm run pretest\` first.`);
  process.exit(2);
}

// Rows of the table, in this order; a leak file's kind is the name leakwatch's message uses.
const KINDS = [
  ['heap', 'heap, ≥ 1 MB (default threshold 512 KB)'],
  ['heap-256KB', 'heap, 256 KB (file threshold 192KB)'],
  ['heap-64KB', 'heap, 64 KB (file threshold 48KB)'],
  ['kept-once', 'heap kept once in module state'],
  ['growth', 'module state grown test after test (file)'],
  ['external', 'external (Buffers, ArrayBuffers)'],
  ['native', 'native memory V8 does not see'],
  ['handles', 'open handles'],
  ['fds', 'file descriptors'],
  ['listeners', 'process listeners'],
  ['globals', 'globals (globals: true)'],
  ['tempFiles', 'temp files'],
];
/** What a leakwatch failure message names, from its summary line. */
const FINDINGS = [
  [/ of heap per run/, 'heap'],
  [/ in module-level state:/, 'kept-once'],
  [/ of external memory/, 'external'],
  [/ of native memory/, 'native'],
  [/ open handles?\b/, 'handles'],
  [/ file descriptors?\b/, 'fds'],
  [/ process listeners?\b/, 'listeners'],
  [/ leaked \d+ globals?:/, 'globals'],
  [/ in the temp folder/, 'tempFiles'],
];
/**
 * Leaks that fail the file, not a test: the file's message names them. Every test of such a
 * file is named `leak[<kind>] <pattern>: <input>`, and the file counts as one pattern.
 */
const FILE_FINDINGS = [[/ grew module-level state test after test:/, 'growth']];
/** Whether `file` is one of those leaks' files, which fail as files. */
function fileLeakFile(run, file) {
  return run.tests.some((t) => t.file === file && (t.kind === 'part' || FILE_FINDINGS.some(([, kind]) => kind === t.kind)));
}

/** Runs Jest on the corpus; returns its tests and file-level errors. */
function runJest(extraArgs, label) {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-corpus-'));
  const outputFile = path.join(outDir, 'results.json');
  const env = { ...process.env, FORCE_COLOR: '0' };
  delete env.LEAKWATCH;
  delete env.LEAKWATCH_SNAPSHOTS;
  const start = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [
      jestBin,
      '--ci',
      '--json',
      `--outputFile=${outputFile}`,
      '--cacheDirectory',
      path.join(os.tmpdir(), `leakwatch-corpus-jest${version}-cache`),
      ...extraArgs,
    ],
    { cwd: corpus, env, encoding: 'utf8', timeout: 600000, maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  let json = null;
  try {
    json = JSON.parse(fs.readFileSync(outputFile, 'utf8'));
  } catch {
    console.error(
      `corpus: ${label}: Jest wrote no results (status ${child.status}, signal ${child.signal}).\n${child.stderr.slice(-3000)}`,
    );
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  const tests = [];
  const files = [];
  for (const file of json?.testResults ?? []) {
    const rel = path.relative(corpus, file.name);
    const fileMessage = file.message ?? '';
    files.push({ file: rel, message: fileMessage, status: file.status, tests: file.assertionResults.length });
    const fileFound = FILE_FINDINGS.filter(([re]) => re.test(fileMessage)).map(([, kind]) => kind);
    const fileKinds = new Set(FILE_FINDINGS.map(([, kind]) => kind));
    const countedFileKinds = new Set();
    for (const test of file.assertionResults) {
      const message = test.failureMessages.join('\n');
      const leak = /^leak\[([^\]]+)\] /.exec(test.title);
      const summaries = message.split('\n').filter((line) => line.includes('leakwatch: "'));
      const found = new Set(FINDINGS.filter(([re]) => summaries.some((line) => re.test(line))).map(([, kind]) => kind));
      let kind = leak ? leak[1] : test.title.startsWith('clean') ? 'clean' : 'other';
      const fileLeak = fileKinds.has(kind);
      if (fileLeak) {
        // One pattern per file: its other tests are parts of it.
        if (countedFileKinds.has(kind)) kind = 'part';
        countedFileKinds.add(kind);
        for (const name of fileFound) found.add(name);
      }
      tests.push({
        id: `${rel} › ${test.fullName}`,
        file: rel,
        title: test.title,
        kind,
        failed: test.status === 'failed' || (fileLeak && fileFound.length > 0),
        status: test.status,
        found,
        firstLine: fileLeak && fileFound.length > 0 ? firstLeakwatchLine(fileMessage) : firstLeakwatchLine(message),
      });
    }
  }
  return { ok: json !== null, seconds, tests, files, exitCode: child.status, stderr: child.stderr };
}

function firstLeakwatchLine(message) {
  const lines = message.split('\n');
  const index = lines.findIndex((line) => line.includes('leakwatch: '));
  if (index >= 0)
    return lines
      .slice(index, index + 2)
      .map((line) => line.trim())
      .join(' | ');
  return (
    lines
      .find((line) => line.trim() !== '')
      ?.trim()
      .slice(0, 200) ?? ''
  );
}

const expectedFinding = (kind) => (kind.startsWith('heap') ? 'heap' : kind);
const pct = (n, d) => (d === 0 ? '–' : `${Math.round((100 * n) / d)}%`);
const jestVersion = require(path.join(jestDir, 'jest', 'package.json')).version;

console.log(
  `leak corpus: fixtures/corpus, Jest ${jestVersion}, Node ${process.version}, ${os.cpus().length} cores, ` +
    `${new Date().toISOString()}; leakwatch ${runs} run(s)${detectLeaks ? ', --detectLeaks 1 run' : ''}`,
);

const leakwatchRuns = [];
for (let i = 0; i < runs; i++) {
  const run = runJest([], `leakwatch run ${i + 1}`);
  leakwatchRuns.push(run);
  const failed = run.tests.filter((t) => t.failed).length;
  console.log(`  leakwatch run ${i + 1}: ${run.seconds.toFixed(1)} s, ${run.tests.length} tests, ${failed} failed`);
}
let plain = null;
if (detectLeaks) {
  plain = runJest(['--testEnvironment=node', '--detectLeaks'], '--detectLeaks');
  const flagged = plain.files.filter((f) => /leaking memory/i.test(f.message)).length;
  console.log(`  --detectLeaks (jest-environment-node): ${plain.seconds.toFixed(1)} s, ${plain.files.length} files, ${flagged} flagged`);
}

const first = leakwatchRuns[0];
const flaggedFiles = new Set((plain?.files ?? []).filter((f) => /leaking memory/i.test(f.message)).map((f) => f.file));
const leaks = first.tests.filter((t) => !['clean', 'other', 'part'].includes(t.kind));
const cleans = first.tests.filter((t) => t.kind === 'clean');

console.log('\n| kind | patterns | caught by leakwatch | recall | flagged by --detectLeaks (file) | recall |');
console.log('|---|---|---|---|---|---|');
const row = (label, tests) => {
  const caught = tests.filter((t) => t.failed && t.found.has(expectedFinding(t.kind))).length;
  const byFile = tests.filter((t) => flaggedFiles.has(t.file)).length;
  const dl = plain ? [byFile, pct(byFile, tests.length)] : ['not run', ''];
  console.log(`| ${label} | ${tests.length} | ${caught} | ${pct(caught, tests.length)} | ${dl[0]} | ${dl[1]} |`);
};
for (const [kind, label] of KINDS) {
  const tests = leaks.filter((t) => t.kind === kind);
  if (tests.length > 0) row(label, tests);
}
for (const t of leaks) if (!KINDS.some(([kind]) => kind === t.kind)) console.log(`| (unknown kind ${t.kind}) ${t.id} | | | | | |`);
row('**all leak patterns**', leaks);

const cleanFailed = cleans.filter((t) => t.failed);
const cleanFiles = new Set(cleans.map((t) => t.file));
const cleanOnlyFiles = [...cleanFiles].filter((file) => !leaks.some((t) => t.file === file));
const cleanInFlagged = cleans.filter((t) => flaggedFiles.has(t.file));
console.log(
  '\n| clean tests | files holding them | failed under leakwatch (false positives) | --detectLeaks: clean tests in flagged files | --detectLeaks: clean-only files flagged |',
);
console.log('|---|---|---|---|---|');
console.log(
  `| ${cleans.length} | ${cleanFiles.size} | ${cleanFailed.length} | ` +
    (plain
      ? `${cleanInFlagged.length} | ${cleanOnlyFiles.filter((f) => flaggedFiles.has(f)).length} of ${cleanOnlyFiles.length} |`
      : 'not run | not run |'),
);

const misses = leaks.filter((t) => !(t.failed && t.found.has(expectedFinding(t.kind))));
if (misses.length > 0) {
  console.log('\nMissed by leakwatch:');
  for (const t of misses) console.log(`  ${t.id}: ${t.status}${t.failed ? ` (${t.firstLine})` : ''}`);
}
if (cleanFailed.length > 0) {
  console.log('\nClean tests failed under leakwatch (false positives):');
  for (const t of cleanFailed) console.log(`  ${t.id}: ${t.firstLine}`);
}
const others = first.tests.filter((t) => t.kind === 'other');
if (others.length > 0) console.log(`\nTests named neither leak[...] nor clean: ${others.map((t) => t.id).join(', ')}`);
const fileErrors = first.files.filter((f) => (f.tests === 0 || /Test suite failed to run/.test(f.message)) && !fileLeakFile(first, f.file));
for (const f of fileErrors) console.log(`\nFile error under leakwatch: ${f.file}: ${f.message.slice(0, 500)}`);
if (plain) {
  console.log(`\n--detectLeaks flagged ${flaggedFiles.size} of ${plain.files.length} files:`);
  for (const file of [...flaggedFiles].sort()) {
    const inFile = first.tests.filter((t) => t.file === file);
    const what =
      inFile
        .filter((t) => t.kind !== 'clean')
        .map((t) => t.kind)
        .join(', ') || 'clean only';
    console.log(`  ${file} (${what})`);
  }
  const notPassing = plain.tests.filter((t) => t.status !== 'passed');
  if (notPassing.length > 0)
    console.log(
      `\nUnder plain jest-environment-node, ${notPassing.length} test(s) did not pass: ${notPassing.map((t) => t.id).join(', ')}`,
    );
}

// Stability: the set of failed tests in each leakwatch run, against the first run.
const verdict = (run) =>
  run.tests
    .filter((t) => t.failed)
    .map((t) => t.id)
    .sort();
const reference = verdict(first);
let identical = 0;
for (const [index, run] of leakwatchRuns.entries()) {
  const failed = verdict(run);
  const same = run.ok && failed.length === reference.length && failed.every((id, i) => id === reference[i]);
  if (same) {
    identical += 1;
  } else if (index > 0) {
    const added = failed.filter((id) => !reference.includes(id));
    const gone = reference.filter((id) => !failed.includes(id));
    console.log(`\nRun ${index + 1} differs from run 1: failed now ${added.join('; ') || '–'}; passed now ${gone.join('; ') || '–'}`);
  }
}
if (runs > 1) {
  const failures = new Map();
  for (const run of leakwatchRuns) for (const t of run.tests) if (t.failed) failures.set(t.id, (failures.get(t.id) ?? 0) + 1);
  const all = new Set(leakwatchRuns.flatMap((run) => run.tests.map((t) => t.id)));
  const unstable = [...all].filter((id) => (failures.get(id) ?? 0) % runs !== 0).sort();
  console.log(`\nTests whose verdict changed between runs: ${unstable.length}`);
  for (const id of unstable) console.log(`  ${id}: failed in ${failures.get(id)} of ${runs} runs`);
}
const seconds = leakwatchRuns.map((run) => run.seconds);
console.log(
  `\nStability: ${identical} of ${runs} leakwatch run(s) had the same set of failed tests as run 1 ` +
    `(${reference.length} failed). Wall time per leakwatch run: ${Math.min(...seconds).toFixed(1)}–${Math.max(...seconds).toFixed(1)} s.`,
);

// A file failed for what its own code left open counts too: no corpus file leaves anything
// open, and only the file-level leak files (FILE_FINDINGS) may fail as files.
const fileLevel = (run) => run.files.some((f) => /leakwatch: test file /.test(f.message) && !fileLeakFile(run, f.file));
const anyCleanFailed = leakwatchRuns.some((run) => !run.ok || fileLevel(run) || run.tests.some((t) => t.kind === 'clean' && t.failed));
process.exit(anyCleanFailed ? 1 : 0);
