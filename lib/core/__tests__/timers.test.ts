import { GRACE_MS, RunTimers, stillThereAfterGrace } from '../timers';

describe('stillThereAfterGrace', () => {
  test('returns at once when nothing is open', async () => {
    const read = jest.fn(() => []);
    await expect(stillThereAfterGrace(read)).resolves.toEqual([]);
    expect(read).toHaveBeenCalledTimes(1);
  });

  test('looks again after a turn of the event loop: what closes then costs no fixed wait', async () => {
    let open = ['server'];
    setImmediate(() => (open = []));
    const started = performance.now();
    await expect(stillThereAfterGrace(() => open)).resolves.toEqual([]);
    expect(performance.now() - started).toBeLessThan(15);
  });

  test('what is still open after GRACE_MS is returned', async () => {
    const started = performance.now();
    await expect(stillThereAfterGrace(() => ['server'])).resolves.toEqual(['server']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(GRACE_MS - 1);
  });
});

describe('RunTimers', () => {
  test("settled() waits for the run's timer, and no longer", async () => {
    const timers = new RunTimers();
    let fired = false;
    timers.start();
    setTimeout(() => (fired = true), 5);
    await timers.settled();
    timers.stop();
    expect(fired).toBe(true);
  });
});
