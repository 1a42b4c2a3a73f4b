// The image's figures, for `npm run bench` (also alone: `node bench/image.ts`): built from the
// repository with podman (test/helpers/image.ts, the same build the tests run), its size and largest
// layers, the time from `podman run` to /readyz 200, and the idle memory of a container serving a
// config with nothing scheduled (after 20 s): the container's cgroup (podman stats) and Vigil's RSS.
// Rounds: BENCH_IMAGE_ROUNDS (default 5).
import { chmodSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildImage, IMAGE, podman, podmanProblem, removeContainer } from '../test/helpers/image.ts';
import { freePort } from '../test/helpers/nagios-nsca.ts';

const rounds = Number(process.env.BENCH_IMAGE_ROUNDS ?? 5);
const IDLE_MS = 20_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

/** podman's human sizes ("141 MB", "38.2 MB", "4.61 kB") in bytes. */
function bytesOf(size: string): number {
  const m = /^([\d.]+)\s*(B|kB|MB|GB)$/.exec(size.trim());
  if (!m) return 0;
  return Number(m[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[2] as 'B' | 'kB' | 'MB' | 'GB'];
}

async function rssOfTree(pid: number): Promise<number> {
  let total = 0;
  const { readdirSync } = await import('node:fs');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      if (Number(entry) !== pid && ppid !== pid) continue;
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

export async function benchImage(): Promise<string[]> {
  const problem = podmanProblem();
  if (problem) return [`image: not measured (${problem})`];
  const build = await buildImage();
  if (build.code !== 0) throw new Error(`image build failed:\n${build.stderr.slice(-3000)}`);
  const size = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE])).stdout.trim());
  const layers = (await podman(['history', '--no-trunc', '--format', '{{.Size}}\t{{.CreatedBy}}', IMAGE])).stdout
    .trim()
    .split('\n')
    .map((l) => {
      const [s, by] = l.split('\t');
      // `|3 REVISION=… /bin/sh -c apt-get …` → `apt-get …`; `COPY dir:<hash> in /usr/local/` → `COPY … in /usr/local/`.
      const what = by
        .replace(/^\|\d+ (\S+=\S* )*/, '')
        .replace(/^\/bin\/sh -c (#\(nop\) )?/, '')
        .replace(/(COPY|ADD) \w+:[0-9a-f]+/, '$1 …');
      return { bytes: bytesOf(s), by: what.slice(0, 110) };
    })
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 4);

  // A config that schedules nothing: the container's idle cost, not a run's.
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-bench-image-'));
  chmodSync(dir, 0o755);
  writeFileSync(
    path.join(dir, 'vigil.yaml'),
    `store: /data/vigil.db
environments: { local: { baseURL: "http://127.0.0.1:9", tenants: t } }
tenants: { t: { kind: command, create: { command: ["true"] }, delete: { command: ["true"] } } }
suites: { demo: { path: /app/suites/demo, environments: [local] } }
`,
    { mode: 0o644 },
  );
  const ready: number[] = [];
  const cgroup: number[] = [];
  const rss: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const name = `vigil-bench-${process.pid}-${i}`;
      const port = await freePort();
      const started = Date.now();
      const run = await podman([
        'run',
        '-d',
        '--name',
        name,
        '-e',
        'VIGIL_CONFIG=/etc/vigil/vigil.yaml',
        '-v',
        `${dir}:/etc/vigil:ro`,
        IMAGE,
        'serve',
        '--listen',
        `127.0.0.1:${port}`,
      ]);
      if (run.code !== 0) throw new Error(`podman run: ${run.stderr}`);
      try {
        for (;;) {
          if (
            (await fetch(`http://127.0.0.1:${port}/readyz`)
              .then((r) => r.status)
              .catch(() => 0)) === 200
          )
            break;
          if (Date.now() - started > 60_000) throw new Error(`${name}: not ready within 60 s`);
          await sleep(20);
        }
        ready.push(Date.now() - started);
        if (i === 0 || i === rounds - 1) {
          await sleep(IDLE_MS);
          const stats = (await podman(['stats', '--no-stream', '--format', '{{.MemUsage}}', name])).stdout.trim();
          cgroup.push(bytesOf(stats.split('/')[0]));
          const pid = Number((await podman(['inspect', '--format', '{{.State.Pid}}', name])).stdout.trim());
          rss.push(await rssOfTree(pid));
        }
      } finally {
        await removeContainer(name);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return [
    `image ${IMAGE} (built from this checkout with podman): ${mb(size)} (Playwright's own image: ~2 GB); largest layers:`,
    ...layers.map((l) => `  ${mb(l.bytes).padStart(7)}  ${l.by}`),
    `podman run → /readyz 200: median ${median(ready)} ms, min ${Math.min(...ready)} ms, max ${Math.max(...ready)} ms (${rounds} starts)`,
    `idle after ${IDLE_MS / 1000} s, nothing scheduled: container memory ${cgroup.map(mb).join(', ')} (podman stats), tini + vigil RSS ${rss.map(mb).join(', ')}`,
  ];
}

if (import.meta.main) process.stdout.write(`${(await benchImage()).join('\n')}\n`);
