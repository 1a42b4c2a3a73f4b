// Service-model figure for `npm run bench` (through bench/model.ts; also runnable alone):
//   a model over 1,000 Prometheus series. A real Prometheus (127.0.0.1, temp dir) scrapes a generated
//   target exposing `bench_up{member="m-0000"…"m-0999"} 1`; two models ask about it:
//     one check   — `bench_up == 1`: one instant query, every one of the 1,000 series judged;
//     discovery   — members from the values of label `member`: 1,000 members, each judged on its series.
//   Per model: end to end (query over HTTP + JSON + evaluate + all green transitively) and the
//   evaluation alone over the captured answer (pure, in process). Median and p95 over
//   BENCH_MODEL_ROUNDS (default 10) after one warm-up round.
import { allGreen, evaluateModel, parseModel, takeSnapshot, type Model } from '../src/model/index.ts';
import { prometheusAvailable, startMetricsTarget, startPrometheus } from '../test/helpers/prometheus-server.ts';

const SERIES = 1_000;
const rounds = Number(process.env.BENCH_MODEL_ROUNDS ?? 10);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function measure(model: Model): Promise<{ endToEnd: number[]; evaluate: number[]; checks: number; holds: boolean }> {
  const endToEnd: number[] = [];
  const evaluate: number[] = [];
  let checks = 0;
  let holds = false;
  for (let i = 0; i < rounds + 1; i++) {
    const start = performance.now();
    const snapshot = await takeSnapshot(model);
    const read = performance.now();
    const answer = allGreen(evaluateModel(model, snapshot)[0], true);
    const end = performance.now();
    if (i === 0) continue;
    endToEnd.push(end - start);
    evaluate.push(end - read);
    checks = answer.checks;
    holds = answer.holds;
  }
  return { endToEnd, evaluate, checks, holds };
}

export async function benchModelPrometheus(): Promise<string[]> {
  if (!prometheusAvailable()) return ['model over 1,000 Prometheus series: skipped (prometheus is not installed)'];
  const lines = Array.from({ length: SERIES }, (_, i) => `bench_up{member="m-${String(i).padStart(4, '0')}"} 1`);
  const target = await startMetricsTarget(`# TYPE bench_up gauge\n${lines.join('\n')}\n`);
  const prom = await startPrometheus({ jobs: { bench: [target.address] } });
  try {
    // Ready when the whole target is queryable, not just its `up`.
    while ((await prom.query('count(bench_up)'))[0]?.value[1] !== String(SERIES)) await new Promise((r) => setTimeout(r, 250));
    const sources = { prometheus: { url: prom.url } };
    const one = parseModel({ sources, nodes: [{ name: 'fleet', checks: [{ prometheus: { query: 'bench_up', condition: '== 1' } }] }] });
    const discovered = parseModel({
      sources,
      nodes: [{ name: 'fleet', members: { discover: { source: 'prometheus', query: 'bench_up', label: 'member', condition: '== 1' }, min: SERIES } }],
    });
    const out = [`model over ${SERIES.toLocaleString('en')} Prometheus series (real Prometheus on 127.0.0.1; ${rounds} rounds):`];
    for (const [name, model] of [
      ['one check over all series', one],
      ['discovery, one member per series', discovered],
    ] as const) {
      const r = await measure(model);
      out.push(
        `  ${name} (${r.checks.toLocaleString('en')} check${r.checks === 1 ? '' : 's'}, all green: ${r.holds ? 'yes' : 'NO'}): ` +
          `query + evaluate median ${quantile(r.endToEnd, 0.5).toFixed(1)} ms, p95 ${quantile(r.endToEnd, 0.95).toFixed(1)} ms; ` +
          `evaluate alone median ${quantile(r.evaluate, 0.5).toFixed(2)} ms, p95 ${quantile(r.evaluate, 0.95).toFixed(2)} ms`,
      );
    }
    return out;
  } finally {
    await prom.stop();
    await target.close();
  }
}

if (import.meta.main) process.stdout.write(`${(await benchModelPrometheus()).join('\n')}\n`);
