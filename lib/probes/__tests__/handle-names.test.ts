import * as dgram from 'node:dgram';
import { once } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { describeHandle } from '../handle-names';

/** The native handle under a Node object, as the async hook's `init` receives it. */
const handleOf = (object: object): object => (object as { _handle?: object })._handle ?? object;

describe('describeHandle', () => {
  test('a timer says its delay, an interval its period', () => {
    const timer = setTimeout(() => {}, 1234);
    const interval = setInterval(() => {}, 50);
    try {
      expect(describeHandle({ type: 'Timeout', resource: timer })).toBe('setTimeout timer (1234 ms)');
      expect(describeHandle({ type: 'Timeout', resource: interval })).toBe('setInterval timer (every 50 ms)');
    } finally {
      clearTimeout(timer);
      clearInterval(interval);
    }
  });

  test('a UDP socket says where it is bound', async () => {
    const socket = dgram.createSocket('udp4').bind(0, '127.0.0.1');
    await once(socket, 'listening');
    try {
      expect(describeHandle({ type: 'UDPWRAP', resource: handleOf(socket) })).toBe(
        `UDP socket bound to 127.0.0.1:${socket.address().port}`,
      );
    } finally {
      socket.close();
    }
  });

  test('a MessagePort, a pipe and a signal handler get names a person reads, not their async_hooks types', () => {
    const { port1, port2 } = new MessageChannel();
    port1.close();
    expect(describeHandle({ type: 'MESSAGEPORT', resource: port2 })).toBe('MessagePort (worker_threads)');
    expect(describeHandle({ type: 'PIPEWRAP', resource: undefined })).toBe('pipe or Unix socket');
    expect(describeHandle({ type: 'SIGNALWRAP', resource: undefined })).toBe('signal handler');
  });

  test('a type it has no name for is shown as its async_hooks type', () => {
    expect(describeHandle({ type: 'HTTP2SESSION', resource: undefined })).toBe('HTTP2SESSION');
  });
});
