import * as net from 'node:net';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { once } from 'node:events';
import { HandlesProbe } from '../handles';

const root = path.resolve('/project');
/** net.createServer(...).listen from line 2 of a file of the project (this file is leakwatch's own). */
const listenFromProject = vm.runInThisContext(
  '(function listen(net, accepted) {\n  return net.createServer((socket) => accepted.push(socket)).listen(0);\n})',
  { filename: path.join(root, 'src/fixture.js') },
) as (netModule: typeof net, accepted: net.Socket[]) => net.Server;

describe('HandlesProbe: connections a server accepted', () => {
  let probe: HandlesProbe;
  const accepted: net.Socket[] = [];
  const clients: net.Socket[] = [];
  const servers: net.Server[] = [];

  beforeEach(() => {
    probe = new HandlesProbe(root);
    probe.startFile();
  });

  afterEach(async () => {
    probe.dispose();
    for (const socket of [...accepted.splice(0), ...clients.splice(0)]) socket.destroy();
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function listen(): Promise<net.Server> {
    const server = listenFromProject(net, accepted);
    servers.push(server);
    await once(server, 'listening');
    return server;
  }

  /** Connects from this file, which is not the project's: only the server's side can be reported. */
  async function connect(server: net.Server): Promise<void> {
    const count = accepted.length;
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    clients.push(client);
    while (accepted.length === count) await new Promise((resolve) => setImmediate(resolve));
  }

  test("a connection left open to the file's server is the server's, not the test's", async () => {
    probe.fileCodeRunning('beforeAll');
    const server = await listen();
    probe.fileCodeRunning(null);
    probe.beforeTest();
    await connect(server);
    expect(await probe.afterTest()).toBeNull();
  });

  test("a connection left open to the test's own server, closed, is the test's", async () => {
    probe.beforeTest();
    const server = await listen();
    await connect(server);
    server.close();
    const finding = await probe.afterTest();
    expect(finding?.summary).toBe('leaked 1 open handle');
    expect(finding?.details[0]).toMatch(/^TCP socket to (::ffff:)?127\.0\.0\.1:\d+, created at src\/fixture\.js:2$/);
  });
});
