// Memory of runs as the kernel counts it: PSS (shared pages split between the processes sharing them),
// summed from /proc/<pid>/smaps_rollup every 0.3 s. A process belongs to a run when its environment
// carries VIGIL_RUN_ID=<id> (the suite's Playwright, its workers, their own Chromium); to the shared
// browser when it carries VIGIL_SHARED_BROWSER=1 (its server and Chromium); to Vigil by its pid.
import { readdir, readFile } from 'node:fs/promises';

const MiB = 1024 * 1024;

export interface PssReport {
  /** Per run: its peak of (own processes + its share of the shared browser), MiB. */
  perRunPeakMiB: Map<string, number>;
  /** Peak of everything (runs + shared browser + Vigil), MiB, and how many runs were going then. */
  boxPeakMiB: number;
  runsAtBoxPeak: number;
}

type Owner = { kind: 'run'; runId: string } | { kind: 'shared' } | { kind: 'vigil' } | { kind: 'other' };

// Other Vigil runs on the machine (other tests, other benches) carry VIGIL_RUN_ID too: samples are kept
// per run id and only the runs named at stop() count.
export function startPssSampler(vigilPid: number, everyMs = 300) {
  const owners = new Map<string, Owner>(); // key: pid + start time, so a reused pid is looked at again
  const samples: Array<{ runs: Map<string, number>; shared: number; vigil: number }> = [];
  let stopped = false;

  async function ownerOf(pid: number): Promise<{ key: string; owner: Owner } | undefined> {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const key = `${pid}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
      let owner = owners.get(key);
      if (!owner) {
        const environ = (await readFile(`/proc/${pid}/environ`, 'latin1')).split('\0');
        const run = environ.find((v) => v.startsWith('VIGIL_RUN_ID='));
        owner =
          pid === vigilPid
            ? { kind: 'vigil' }
            : run
              ? { kind: 'run', runId: run.slice(13) }
              : environ.includes('VIGIL_SHARED_BROWSER=1')
                ? { kind: 'shared' }
                : { kind: 'other' };
        owners.set(key, owner);
      }
      return { key, owner };
    } catch {
      return undefined;
    }
  }

  async function pss(pid: number): Promise<number> {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  async function sample() {
    const runs = new Map<string, number>();
    let shared = 0;
    let vigil = 0;
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const found = await ownerOf(Number(name));
      if (!found || found.owner.kind === 'other') continue;
      const bytes = await pss(Number(name));
      if (found.owner.kind === 'run') runs.set(found.owner.runId, (runs.get(found.owner.runId) ?? 0) + bytes);
      else if (found.owner.kind === 'shared') shared += bytes;
      else vigil += bytes;
    }
    samples.push({ runs, shared, vigil });
  }

  const loop = (async () => {
    while (!stopped) {
      const t0 = Date.now();
      await sample();
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - t0))));
    }
  })();

  return {
    async stop(ours: Iterable<string>): Promise<PssReport> {
      stopped = true;
      await loop;
      const mine = new Set(ours);
      const perRunPeakMiB = new Map<string, number>();
      let boxPeakMiB = 0;
      let runsAtBoxPeak = 0;
      for (const sample of samples) {
        const runs = [...sample.runs].filter(([runId]) => mine.has(runId));
        const share = runs.length ? sample.shared / runs.length : 0;
        for (const [runId, bytes] of runs) perRunPeakMiB.set(runId, Math.max(perRunPeakMiB.get(runId) ?? 0, (bytes + share) / MiB));
        const box = (runs.reduce((a, [, b]) => a + b, 0) + sample.shared + sample.vigil) / MiB;
        if (box > boxPeakMiB) {
          boxPeakMiB = box;
          runsAtBoxPeak = runs.length;
        }
      }
      return { perRunPeakMiB, boxPeakMiB, runsAtBoxPeak };
    },
  };
}
