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
  const started = cpuMs();
  await sleep(100);
  expect(cpuMs() - started).toBeLessThan(50);
});
