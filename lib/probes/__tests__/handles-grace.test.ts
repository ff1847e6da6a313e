import * as path from 'node:path';
import * as vm from 'node:vm';
import { GRACE_MS } from '../../core/timers';
import { HandlesProbe } from '../handles';

const root = path.resolve('/project');
/** setTimeout from line 2 of a file of the project (this file is leakwatch's own). */
const startTimer = vm.runInThisContext('(function start(ms) {\n  return setTimeout(() => {}, ms);\n})', {
  filename: path.join(root, 'src/fixture.js'),
}) as (ms: number) => NodeJS.Timeout;

describe('HandlesProbe: the grace period', () => {
  let probe: HandlesProbe;
  const timers: NodeJS.Timeout[] = [];

  beforeEach(() => {
    probe = new HandlesProbe(root);
    probe.startFile();
    probe.beforeTest();
  });

  afterEach(() => {
    probe.dispose();
    for (const timer of timers.splice(0)) clearTimeout(timer);
  });

  test('a timer not due before the grace period ends is reported without waiting all of it', async () => {
    timers.push(startTimer(60_000));
    const started = performance.now();
    const finding = await probe.afterTest();
    expect(finding?.summary).toBe('leaked 1 open handle');
    expect(finding?.details[0]).toBe('setTimeout timer (60000 ms), created at src/fixture.js:2');
    // Waiting all of it takes GRACE_MS at least (timers never fire early); the first looks
    // take ~15 ms, which a loaded machine stretched to 67 ms once against a GRACE_MS / 2 bound.
    expect(performance.now() - started).toBeLessThan(GRACE_MS);
  });

  test('a test that left nothing open is judged at once, with no wait', () => {
    clearTimeout(startTimer(40));
    expect(probe.afterTest()).toBeNull();
  });

  test('a timer due within the grace period is waited for, and is no finding once it fired', async () => {
    timers.push(startTimer(40));
    await expect(probe.afterTest()).resolves.toBeNull();
  });
});
