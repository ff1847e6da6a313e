import { once } from 'node:events';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { GRACE_MS } from '../../core/timers';
import { HandlesProbe } from '../handles';

const root = path.resolve('/project');
/** setTimeout from line 2 of a file of the project (this file is leakwatch's own). */
const startTimer = vm.runInThisContext('(function start(ms) {\n  return setTimeout(() => {}, ms);\n})', {
  filename: path.join(root, 'src/fixture.js'),
}) as (ms: number) => NodeJS.Timeout;

/** net.createServer().listen() from line 2 of a file of the project. */
const startServer = vm.runInThisContext('(function listen(net) {\n  return net.createServer().listen(0, "127.0.0.1");\n})', {
  filename: path.join(root, 'src/server.js'),
}) as (netModule: typeof net) => net.Server;

describe('HandlesProbe: the grace period', () => {
  let probe: HandlesProbe;
  const timers: NodeJS.Timeout[] = [];

  beforeEach(() => {
    probe = new HandlesProbe(root);
    probe.startFile();
    probe.beforeTest();
  });

  const servers: net.Server[] = [];

  afterEach(() => {
    probe.dispose();
    for (const timer of timers.splice(0)) clearTimeout(timer);
    for (const server of servers.splice(0)) server.close();
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

  test('a server left listening, with nothing else of the test open, is reported without waiting all of it', async () => {
    const server = startServer(net);
    servers.push(server);
    await once(server, 'listening');
    const started = performance.now();
    const finding = await probe.afterTest();
    expect(finding?.details[0]).toMatch(/^TCP server listening on 127\.0\.0\.1:\d+, created at src\/server\.js:2$/);
    expect(performance.now() - started).toBeLessThan(GRACE_MS);
  });

  test('a server that a timer of the test closes within the grace period is waited for, and is no finding', async () => {
    const server = startServer(net);
    servers.push(server);
    await once(server, 'listening');
    timers.push(setTimeout(() => server.close(), 40));
    await expect(probe.afterTest()).resolves.toBeNull();
  });
});
