import fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { newFds, openFds } from '../fd-listing';

/** Descriptors are listed from /proc/self/fd: skipped where there is none. */
const describeWithProcFd = fs.existsSync('/proc/self/fd') ? describe : describe.skip;

describeWithProcFd('newFds (needs /proc/self/fd, Linux)', () => {
  test('lists a file opened since, and leaves sockets to the handles check', async () => {
    const before = new Set(openFds());
    const file = path.join(os.tmpdir(), `leakwatch-fd-listing-${process.pid}.txt`);
    const fd = fs.openSync(file, 'w');
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      // Jest's own reads may open a descriptor meanwhile: the file and no socket, whatever else.
      const added = newFds(openFds(), before, null);
      expect(added).toContainEqual([String(fd), fs.realpathSync(file)]);
      expect(added.filter(([, target]) => target.startsWith('socket:'))).toEqual([]);
    } finally {
      fs.closeSync(fd);
      fs.rmSync(file);
      server.close();
    }
  });
});
