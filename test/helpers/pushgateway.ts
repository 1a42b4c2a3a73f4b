// A real Prometheus Pushgateway (Debian's prometheus-pushgateway) on 127.0.0.1:<free port>, keeping
// pushed metrics in memory only (no persistence file). Stopped, and waited for, after the test.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './nagios-nsca.ts';

export const PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';
export const pushgatewayAvailable = () => existsSync(PUSHGATEWAY_BIN);
/** For requireBinary's message. */
export const PUSHGATEWAY_PACKAGE = 'prometheus-pushgateway';

export interface PushgatewayServer {
  /** http://127.0.0.1:<port>, what `vigil run --pushgateway` takes. */
  url: string;
  port: number;
  /** The gateway's own /metrics: every group's series with the labels the gateway added. */
  metrics(): Promise<string>;
  /** What the gateway logged so far (logfmt): why it refused a push. */
  log(): string;
  stop(): Promise<void>;
}

export async function startPushgateway(): Promise<PushgatewayServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(PUSHGATEWAY_BIN, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=info'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  child.once('error', (err) => (output += `\nspawn failed: ${err.message}`));

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    if (!(await Promise.race([exitedPromise.then(() => true), sleep(5000).then(() => false)]))) {
      child.kill('SIGKILL');
      await exitedPromise;
    }
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus-pushgateway did not start on ${url}: ${output.slice(-2000)}`);
    }
    await sleep(50);
  }

  return {
    url,
    port,
    async metrics() {
      const answer = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
      if (!answer.ok) throw new Error(`GET ${url}/metrics answered ${answer.status}`);
      return answer.text();
    },
    log: () => output,
    stop,
  };
}
