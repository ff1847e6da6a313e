import * as net from 'node:net';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { once } from 'node:events';
import { HandlesProbe } from '../handles';

const root = path.resolve('/project');
const TEST = { name: 'queries users', id: 1 };

/** A pool in node_modules that connects at its first query, as database pools do. */
const makePool = vm.runInThisContext(
  `(function makePool(net, port) {
  const sockets = [];
  return {
    query() { if (sockets.length === 0) sockets.push(net.connect(port, '127.0.0.1')); return sockets[0]; },
    end() { for (const socket of sockets) socket.destroy(); },
  };
})`,
  { filename: path.join(root, 'node_modules/pool/index.js') },
) as (netModule: typeof net, port: number) => { query: () => net.Socket; end: () => void };
/** The project's code: line 2 calls the pool; line 5 connects itself. */
const project = vm.runInThisContext(
  `({
  query: (pool) => pool.query(),
  connect: (net, port) =>
    // its own socket
    net.connect(port, '127.0.0.1'),
})`,
  { filename: path.join(root, 'src/queries.js') },
) as { query: (pool: { query: () => net.Socket }) => net.Socket; connect: (netModule: typeof net, port: number) => net.Socket };

describe('HandlesProbe: sockets a library opened for a test', () => {
  let probe: HandlesProbe;
  let server: net.Server;
  let port: number;
  const sockets: net.Socket[] = [];

  beforeEach(async () => {
    server = net.createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
    probe = new HandlesProbe(root);
    probe.startFile();
  });

  afterEach(async () => {
    probe.dispose();
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  async function connected(socket: net.Socket): Promise<net.Socket> {
    sockets.push(socket);
    await once(socket, 'connect');
    return socket;
  }

  test("a pool's connection is not the test's; closed in afterAll, it is no finding for the file either", async () => {
    const pool = makePool(net, port);
    probe.beforeTest();
    await connected(project.query(pool));
    expect(await probe.afterTest(TEST)).toBeNull();
    pool.end();
    expect(await probe.finishFileWindow()).toBeNull();
  });

  test('still open after the last afterAll, it fails the file, naming the test that opened it', async () => {
    const pool = makePool(net, port);
    probe.beforeTest();
    await connected(project.query(pool));
    expect(await probe.afterTest(TEST)).toBeNull();
    const finding = await probe.finishFileWindow();
    expect(finding?.summary).toBe('leaked 1 open handle');
    expect(finding?.details[0]).toMatch(
      /^TCP socket to 127\.0\.0\.1:\d+, created at src\/queries\.js:2 \(opened in test "queries users"\)$/,
    );
  });

  test("a socket the project's own code opened stays the test's", async () => {
    probe.beforeTest();
    await connected(project.connect(net, port));
    const finding = await probe.afterTest(TEST);
    expect(finding?.details[0]).toMatch(/^TCP socket to 127\.0\.0\.1:\d+, created at src\/queries\.js:5$/);
  });

  test("a library's connection to a server the test left open is that test's leak, not the file's", async () => {
    const listen = vm.runInThisContext('(function listen(net) {\n  return net.createServer(() => {}).listen(0, "127.0.0.1");\n})', {
      filename: path.join(root, 'src/app.js'),
    }) as (netModule: typeof net) => net.Server;
    probe.beforeTest();
    const own = listen(net);
    await once(own, 'listening');
    const client = makePool(net, (own.address() as net.AddressInfo).port);
    await connected(project.query(client));
    try {
      const finding = await probe.afterTest(TEST);
      expect(finding?.details.slice(0, -1)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^TCP server listening on 127\.0\.0\.1:\d+, created at src\/app\.js:2$/),
          expect.stringMatching(/^TCP socket to 127\.0\.0\.1:\d+, created at src\/queries\.js:2$/),
        ]),
      );
      expect(await probe.finishFileWindow()).toBeNull();
    } finally {
      client.end();
      own.close();
    }
  });
});
