import { once } from 'node:events';
import * as net from 'node:net';
import { eventLoopNow, GRACE_MS, msUntilFires, RunTimers, stillThereAfterGrace } from '../timers';

describe('stillThereAfterGrace', () => {
  test('returns at once when nothing is open', async () => {
    const read = jest.fn(() => []);
    await expect(stillThereAfterGrace(read)).resolves.toEqual([]);
    expect(read).toHaveBeenCalledTimes(1);
  });

  test('a close started in the turn of the last look is looked at once it completed', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const wrap = (server as unknown as { _handle: { hasRef(): boolean } })._handle;
    const read = (): string[] => (wrap.hasRef() ? ['server'] : []);
    // Past the first looks, `certain` stands in for the test's overdue timer that closes it.
    const closesIt = (): boolean => (server.close(), true);
    await expect(stillThereAfterGrace(read, closesIt)).resolves.toEqual([]);
  });

  test('looks again after a turn of the event loop: what closes then costs no fixed wait', async () => {
    let open = ['server'];
    setImmediate(() => (open = []));
    const read = jest.fn(() => open);
    await expect(stillThereAfterGrace(read)).resolves.toEqual([]);
    // Counted, not timed: a loaded machine stretches any wait.
    expect(read).toHaveBeenCalledTimes(2);
  });

  test('what is still open after GRACE_MS is returned', async () => {
    const started = performance.now();
    await expect(stillThereAfterGrace(() => ['server'])).resolves.toEqual(['server']);
    // Half of it: Node times each wait from the event loop's cached clock, which a loaded
    // machine leaves behind performance.now(), so the waits can add up to less than GRACE_MS.
    expect(performance.now() - started).toBeGreaterThanOrEqual(GRACE_MS / 2);
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

describe('stillThereAfterGrace with what is certain to stay', () => {
  test('stops after the first looks once everything left is certain to stay', async () => {
    const read = jest.fn(() => ['timer']);
    await expect(stillThereAfterGrace(read, () => true)).resolves.toEqual(['timer']);
    // The first look, then one after a turn and after 1, 2, 4 and 8 ms, and one two turns
    // later; the whole grace period would take four more.
    expect(read).toHaveBeenCalledTimes(7);
  });

  test('still looks for the first milliseconds: what closes then is no finding', async () => {
    let open = ['server'];
    setTimeout(() => (open = []), 5);
    await expect(
      stillThereAfterGrace(
        () => open,
        () => true,
      ),
    ).resolves.toEqual([]);
  });
});

describe('msUntilFires', () => {
  test("tells a timer's time left", () => {
    const timer = setTimeout(() => undefined, 5000);
    try {
      const left = msUntilFires(timer, eventLoopNow()!);
      expect(left).toBeGreaterThan(4900);
      expect(left).toBeLessThanOrEqual(5000);
    } finally {
      clearTimeout(timer);
    }
  });

  test('null for what is not a timer', () => {
    expect(msUntilFires({}, 0)).toBeNull();
    expect(msUntilFires(undefined, 0)).toBeNull();
  });
});
