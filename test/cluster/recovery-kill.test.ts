// A replica killed while it records the run its previous process left — after taking the run's row,
// before saving the run: here, while the tenant's (slow) delete runs — must leave that run to be taken
// over again. It was lost for good: the row was deleted when taken, so no later start found the run, and
// its tenant waited for the reaper's TTL (found by bench/kill9.ts's reading, docs/error-paths.md).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { E2E } from '../helpers/e2e-setup.ts';
import { repoRoot, spawnVigil } from '../helpers/vigil-cli.ts';
import { ask, eventually, newToken, startServe } from '../service/serve-harness.ts';

const token = newToken();

describe('a replica killed while recording the run its previous process left', { timeout: 240_000 }, () => {
  let dir: string;
  let e: E2E;
  let marks: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-recovery-kill-'));
    marks = path.join(dir, 'marks');
    // The first delete takes 20 s (long enough to be killed in); later ones are quick.
    const slowOnce = `echo delete >> ${marks}; if [ ! -e ${marks}.slow ]; then touch ${marks}.slow; sleep 20; fi`;
    const configFile = path.join(dir, 'vigil.yaml');
    await writeFile(
      configFile,
      `store: ${path.join(dir, 'vigil.db')}
artifacts: { dir: ${path.join(dir, 'artifacts')} }
environments:
  local: { baseURL: "http://127.0.0.1:9", tenants: slow }
tenants:
  slow:
    kind: command
    create: { command: ["sh", "-c", "echo create >> ${marks}; echo '{\\"id\\": \\"t1\\"}'"] }
    delete: { command: ["sh", "-c", ${JSON.stringify(slowOnce)}] }
    timeout: 60s
suites:
  slow: { path: ${path.join(repoRoot, 'test/fixtures/quick-suite')}, environments: [local], timeout: 3m, env: { QUICK_SLEEP_MS: "60000", QUICK_MARK: ${marks} } }
api: { token: "\${VIGIL_API_TOKEN}" }
`,
    );
    e = { configFile, env: { ...process.env } } as unknown as E2E;
  });
  // Whatever a failed step left running is killed: a serve left behind keeps this file's process alive.
  const started: Array<{ kill(signal: NodeJS.Signals): unknown; exitCode: number | null; signalCode: NodeJS.Signals | null }> = [];
  after(async () => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  const marked = async (what: string) => (await readFile(marks, 'utf8').catch(() => '')).split('\n').filter((l) => l === what).length;

  it('is not lost: the next start takes the run back, records it interrupted and deletes its tenant', async () => {
    const first = await startServe(e, { token, args: ['--replica', 'solo'] });
    started.push(first.child);
    const trigger = await ask(`${first.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: 'slow', environment: 'local' }) });
    const runId = String(trigger.json.runId);
    // Killed once the suite runs: its tenant's id is recorded (killed between the create and that, the
    // next start could not delete it — no id, and a provisioner that cannot list).
    await eventually(async () => ((await marked('test')) ? true : undefined), 'the suite running on its tenant', 60_000);
    first.child.kill('SIGKILL');
    await first.child.done;

    // The second start takes the run back at start-up (same name) and is killed during the tenant's delete.
    const second = spawnVigil(['serve', '--config', e.configFile, '--listen', '127.0.0.1:0', '--replica', 'solo'], {
      env: { ...e.env, VIGIL_LOG_FORMAT: 'json', VIGIL_API_TOKEN: token },
    });
    started.push(second);
    let secondLog = '';
    second.stderr!.on('data', (d: Buffer | string) => (secondLog += d.toString()));
    await eventually(async () => ((await marked('delete')) ? true : undefined), 'the recovery deleting the tenant', 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\nthe second start's log:\n${secondLog.slice(-3000)}`);
    });
    second.kill('SIGKILL');
    await second.done;

    const third = await startServe(e, { token, args: ['--replica', 'solo'] });
    started.push(third.child);
    try {
      const run = await eventually(
        async () => {
          const r = await ask(`${third.url}/api/runs/${runId}`);
          return r.status === 200 && r.json.state === 'finished' ? r.json : undefined;
        },
        'the run recorded',
        30_000,
      );
      assert.deepEqual([run.status, run.errorPhase], ['error', 'interrupted']);
      assert.equal((run.tenant as { state?: string } | undefined)?.state, 'destroyed');
      assert.equal(await marked('delete'), 2, 'deleted again by the third start, not left for the TTL');
    } finally {
      await third.stop();
    }
  });
});
