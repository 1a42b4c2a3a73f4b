// withFreePorts (demo/stack/free-port.ts): a port another process takes between the pick and the bind
// — what starting several example stacks at once does to HAProxy's stats port — is picked again; any
// other failure is not retried, and the retries are bounded.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { withFreePorts } from '../../demo/stack/free-port.ts';

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('withFreePorts', () => {
  it('binds again on new ports when another process took the first pick (a real EADDRINUSE)', async () => {
    const thieves: Server[] = [];
    const tried: number[][] = [];
    const { ports, started } = await withFreePorts(2, async (picked) => {
      tried.push(picked);
      // The race, for real: on the first attempt someone else binds the second port before we do.
      if (tried.length === 1) thieves.push(await listen(picked[1]));
      const servers = [await listen(picked[0])];
      try {
        servers.push(await listen(picked[1]));
      } catch (err) {
        await Promise.all(servers.map(close));
        throw err;
      }
      return servers;
    });
    assert.equal(tried.length, 2, 'one retry');
    assert.deepEqual(ports, tried[1]);
    assert.notDeepEqual(tried[0], tried[1]);
    await Promise.all([...started, ...thieves].map(close));
  });

  it('throws any other failure at once, and gives up after three bind races', async () => {
    let calls = 0;
    await assert.rejects(
      withFreePorts(1, async () => {
        calls++;
        throw new Error('haproxy: unknown keyword');
      }),
      /unknown keyword/,
    );
    assert.equal(calls, 1);
    calls = 0;
    await assert.rejects(
      withFreePorts(1, async () => {
        calls++;
        throw new Error('cannot bind socket (Address already in use)');
      }),
      /Address already in use/,
    );
    assert.equal(calls, 3);
  });
});
