/** What a leaked handle is called in a message: "TCP server listening on 127.0.0.1:4000". */

/** The handle as the message needs it: its async_hooks type and the resource, if still alive. */
export interface NamedHandle {
  type: string;
  resource: object | undefined;
  /** A jsdom window's interval: a Node setTimeout that jsdom re-arms at each tick. */
  windowInterval?: boolean;
}

export function describeHandle({ type, resource: object, windowInterval }: NamedHandle): string {
  const resource = object as Record<string, unknown> | undefined;
  try {
    switch (type) {
      case 'Timeout': {
        const repeat = resource?._repeat;
        if (typeof repeat === 'number') return `setInterval timer (every ${repeat} ms)`;
        return windowInterval
          ? `setInterval timer (every ${String(resource?._idleTimeout)} ms)`
          : `setTimeout timer (${String(resource?._idleTimeout)} ms)`;
      }
      case 'Immediate':
        return 'setImmediate callback, still being rescheduled';
      case 'TCPSERVERWRAP':
        return `TCP server${address(resource, 'getsockname', ' listening on')}`;
      case 'TCPWRAP':
        return `TCP socket${address(resource, 'getpeername', ' to')}`;
      case 'UDPWRAP':
        return `UDP socket${address(resource, 'getsockname', ' bound to')}`;
      case 'PIPESERVERWRAP':
        return 'IPC server (a Unix socket or named pipe)';
      case 'PIPEWRAP':
        return 'pipe or Unix socket';
      case 'MESSAGEPORT':
        return 'MessagePort (worker_threads)';
      case 'SIGNALWRAP':
        return 'signal handler';
      case 'PROCESSWRAP':
        return `child process${typeof resource?.pid === 'number' ? ` (pid ${resource.pid})` : ''}`;
      case 'WORKER':
        return 'worker thread';
      case 'FSEVENTWRAP':
        return 'fs.watch watcher';
      case 'STATWATCHER':
        return 'fs.watchFile watcher';
      default:
        return type;
    }
  } catch {
    return type;
  }
}

function address(resource: Record<string, unknown> | undefined, method: 'getsockname' | 'getpeername', label: string): string {
  const out = endpoint(resource, method);
  return out?.port === undefined ? '' : `${label} ${out.address}:${out.port}`;
}

/** A TCP handle's own (getsockname) or remote (getpeername) address; undefined when closed or not a TCP handle. */
export function endpoint(
  resource: object | undefined,
  method: 'getsockname' | 'getpeername',
): { address?: string; port?: number } | undefined {
  const read = (resource as Record<string, unknown> | undefined)?.[method];
  if (typeof read !== 'function') return undefined;
  const out: { address?: string; port?: number } = {};
  try {
    read.call(resource, out);
  } catch {
    return undefined;
  }
  return out;
}
