import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs } from '../cpu-clock';

test('counts time spent computing', () => {
  const started = cpuMs();
  // A wall-time bound, far above 20 ms even on a loaded machine: the loop ends either way.
  const giveUpAt = performance.now() + 5000;
  while (cpuMs() - started < 20 && performance.now() < giveUpAt) {
    // busy
  }
  expect(cpuMs() - started).toBeGreaterThanOrEqual(20);
});

test('does not count time spent waiting, as a wall clock would', async () => {
  // The fewest of three waits: the clock is the process's, and V8's background threads
  // (concurrent marking, compiling) can use a core during one wait (117 ms in 100, in CI).
  // A wall clock would read 100 ms or more every time.
  const spent: number[] = [];
  for (let wait = 0; wait < 3; wait++) {
    const started = cpuMs();
    await sleep(100);
    spent.push(cpuMs() - started);
  }
  expect(Math.min(...spent)).toBeLessThan(50);
});
