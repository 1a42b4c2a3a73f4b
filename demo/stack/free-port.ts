// Ports for servers whose configuration must name them before they start (HAProxy's backends, Nagios'
// check commands, Prometheus' targets). The OS picks a free one; the small window until the real
// server binds it is accepted for a local example stack.
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
