import { UserProbe } from '../user';

describe('UserProbe at file level', () => {
  /** What the probe counts: open connections of a pool, say. */
  let open: number;
  let probe: UserProbe;

  beforeEach(async () => {
    open = 0;
    probe = new UserProbe({ name: 'connections', measure: () => open, unit: 'connections' });
    await probe.startFileWindow();
  });

  async function phase(name: 'module scope' | 'beforeAll' | 'afterAll', body: () => void): Promise<void> {
    await probe.fileCodeRunning(name);
    body();
    await probe.fileCodeRunning(null);
  }

  test('reports what a beforeAll hook added and the file kept, per phase', async () => {
    await phase('module scope', () => undefined);
    await phase('beforeAll', () => (open += 2));
    expect(await probe.finishFileWindow()).toEqual({
      check: 'connections',
      verdict: 'leak',
      summary: 'leaked 2 connections (probe "connections")',
      details: [
        '"connections" measured 0 at the file\'s start and 2 after its last afterAll hook; the file\'s own code changed it by +2 in beforeAll (tolerance 0).',
        'Release it in an afterAll hook.',
      ],
      bytes: 2,
    });
  });

  test('what afterAll releases is no finding', async () => {
    await phase('beforeAll', () => (open += 1));
    await phase('afterAll', () => (open -= 1));
    expect(await probe.finishFileWindow()).toBeNull();
  });

  test("a test's own growth is judged with the test, not again with the file", async () => {
    await probe.beforeTest();
    open += 1;
    expect((await probe.afterTest())?.summary).toBe('leaked 1 connections (probe "connections")');
    expect(await probe.finishFileWindow()).toBeNull();
  });

  test("what a test released of the file's growth is not reported", async () => {
    await phase('beforeAll', () => (open += 1));
    await probe.beforeTest();
    open -= 1;
    await probe.afterTest();
    expect(await probe.finishFileWindow()).toBeNull();
  });

  test('growth within the tolerance is no finding', async () => {
    probe = new UserProbe({ name: 'connections', measure: () => open, tolerance: 1 });
    await probe.startFileWindow();
    await phase('module scope', () => (open += 1));
    expect(await probe.finishFileWindow()).toBeNull();
  });

  test("the definition's message gives the summary", async () => {
    probe = new UserProbe({ name: 'connections', measure: () => open, message: (n) => `left ${n} connections open` });
    await probe.startFileWindow();
    await phase('module scope', () => (open += 3));
    expect((await probe.finishFileWindow())?.summary).toBe('left 3 connections open');
  });

  test('a probe that throws is switched off with one problem, and no finding', async () => {
    probe = new UserProbe({
      name: 'connections',
      measure: () => {
        throw new Error('pool closed');
      },
    });
    await probe.startFileWindow();
    await phase('beforeAll', () => undefined);
    expect(await probe.finishFileWindow()).toBeNull();
    expect(probe.takeProblems()).toEqual(['probe "connections" failed and is off for the rest of this file: pool closed']);
  });
});
