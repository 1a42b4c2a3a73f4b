// Ports for servers whose configuration must name them before they start (HAProxy's backends, Nagios'
// check commands, Prometheus' targets). The OS picks a free one; until the real server binds it,
// another process may take it (tests start several stacks at once): withFreePorts starts the server
// again on new ports when it could not bind.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const BIND_RACE = /address already in use/i;
const ATTEMPTS = 3;

/**
 * Starts a server on `count` fresh ports, again on new ones (at most 3 times) when it failed because
 * another process took one of them in the meantime; any other failure is thrown as it is.
 */
export async function withFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<{ ports: number[]; started: T }> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return { ports, started: await start(ports) };
    } catch (err) {
      if (attempt >= ATTEMPTS || !BIND_RACE.test(err instanceof Error ? err.message : String(err))) throw err;
    }
  }
}
