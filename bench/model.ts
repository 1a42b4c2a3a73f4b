// Service-model figure for `npm run bench` (also runnable alone: `node bench/model.ts`):
//   time to evaluate a model over a status.dat with 50,000 services, target ≤ 300 ms — read and parse
//   status.dat (and objects.cache for host groups), discover members, resolve every check, and answer
//   all green transitively for every node. Median and p95 over BENCH_MODEL_ROUNDS (default 10).
// The file is generated in Nagios 4.4.6's own format (every field it writes, in its order): 5,000 hosts
// in 50 host groups, 10 services each; the model has one service per host group that discovers its
// 100 members with all 10 services, so every one of the 50,000 services is a check in the model.
// Then the model over 1,000 Prometheus series (bench/model-prometheus.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { allGreen, createTextReader, evaluateModel, parseModel, takeSnapshot } from '../src/model/index.ts';
import { benchModelPrometheus } from './model-prometheus.ts';

const HOSTS = 5_000;
const SERVICES_PER_HOST = 10;
const GROUPS = 50;
const rounds = Number(process.env.BENCH_MODEL_ROUNDS ?? 10);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function statusBlock(kind: 'host' | 'service', host: string, service: string, now: number, i: number): string {
  const state = i % 97 === 0 ? 2 : 0;
  const fields: Array<[string, string | number]> = [
    ['host_name', host],
    ...(kind === 'service' ? [['service_description', service] as [string, string]] : []),
    ['modified_attributes', 0],
    ['check_command', 'check_http!-H $HOSTADDRESS$'],
    ['check_period', '24x7'],
    ['notification_period', '24x7'],
    ['importance', 0],
    ['check_interval', '5.000000'],
    ['retry_interval', '1.000000'],
    ['event_handler', ''],
    ['has_been_checked', 1],
    ['should_be_scheduled', 1],
    ['check_execution_time', '0.012'],
    ['check_latency', '0.104'],
    ['check_type', 0],
    ['current_state', state],
    ['last_hard_state', state],
    ['last_event_id', 0],
    ['current_event_id', 0],
    ['current_problem_id', 0],
    ['last_problem_id', 0],
    ['current_attempt', 1],
    ['max_attempts', 3],
    ['state_type', 1],
    ['last_state_change', now - 86_400],
    ['last_hard_state_change', now - 86_400],
    ['last_time_ok', now - 30],
    ['last_time_warning', 0],
    ['last_time_unknown', 0],
    ['last_time_critical', 0],
    ['plugin_output', state ? 'HTTP CRITICAL - Unable to open TCP socket' : 'HTTP OK: HTTP/1.1 200 OK - 5432 bytes in 0.012 second response time'],
    ['long_plugin_output', ''],
    ['performance_data', 'time=0.012345s;;;0.000000 size=5432B;;;0'],
    ['last_check', now - 30 - (i % 200)],
    ['next_check', now + 270],
    ['check_options', 0],
    ['current_notification_number', 0],
    ['current_notification_id', 0],
    ['last_notification', 0],
    ['next_notification', 0],
    ['no_more_notifications', 0],
    ['notifications_enabled', 1],
    ['active_checks_enabled', 1],
    ['passive_checks_enabled', 1],
    ['event_handler_enabled', 1],
    ['problem_has_been_acknowledged', 0],
    ['acknowledgement_type', 0],
    ['flap_detection_enabled', 1],
    ['process_performance_data', 1],
    ['obsess', 1],
    ['last_update', now],
    ['is_flapping', 0],
    ['percent_state_change', '0.00'],
    ['scheduled_downtime_depth', 0],
  ];
  return `${kind}status {\n${fields.map(([k, v]) => `\t${k}=${v}\n`).join('')}\t}\n\n`;
}

export async function benchModel(): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-model-'));
  try {
    const now = Math.floor(Date.now() / 1000);
    const hosts = Array.from({ length: HOSTS }, (_, i) => `web-${String(i).padStart(5, '0')}`);
    const services = Array.from({ length: SERVICES_PER_HOST }, (_, i) => `svc-${i}`);
    const parts = [`info {\n\tcreated=${now}\n\tversion=4.4.6\n\t}\n\nprogramstatus {\n\tnagios_pid=1\n\t}\n\n`];
    hosts.forEach((h, i) => {
      parts.push(statusBlock('host', h, '', now, i));
    });
    let n = 0;
    for (const h of hosts) for (const s of services) parts.push(statusBlock('service', h, s, now, n++));
    const statusFile = path.join(dir, 'status.dat');
    const statusText = parts.join('');
    await writeFile(statusFile, statusText);
    const groups = Array.from(
      { length: GROUPS },
      (_, g) =>
        `define hostgroup {\n\thostgroup_name\tgroup-${g}\n\talias\tgroup ${g}\n\tmembers\t${hosts.filter((_, i) => i % GROUPS === g).join(',')}\n\t}\n\n`,
    );
    await writeFile(path.join(dir, 'objects.cache'), groups.join(''));

    const model = parseModel({
      sources: { nagios: { statusFile } },
      nodes: Array.from({ length: GROUPS }, (_, g) => ({
        name: `service-${g}`,
        members: { discover: { source: 'nagios', hostgroup: `group-${g}`, checks: services }, min: HOSTS / GROUPS },
      })),
    });

    // As a polling `vigil model check` does: one reader, its buffer kept between reads.
    const reader = createTextReader();
    const times: number[] = [];
    const phases: Record<'read' | 'evaluate', number[]> = { read: [], evaluate: [] };
    let checks = 0;
    // CPU time beside wall time: on a machine shared with other work, wall time also measures the neighbours.
    const cpuTimes: number[] = [];
    const cpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    for (let i = 0; i < rounds + 1; i++) {
      const cpuStart = cpuMs();
      const start = performance.now();
      const snapshot = await takeSnapshot(model, { reader });
      const read = performance.now();
      const roots = evaluateModel(model, snapshot);
      checks = roots.reduce((sum, root) => sum + allGreen(root, true).checks, 0);
      const ms = performance.now() - start;
      if (i > 0) {
        // the first round warms the JIT and the page cache
        times.push(ms);
        cpuTimes.push(cpuMs() - cpuStart);
        phases.read.push(read - start);
        phases.evaluate.push(ms - (read - start));
      }
    }
    const median = quantile(times, 0.5);
    const p95 = quantile(times, 0.95);
    return [
      `model over status.dat with ${(n).toLocaleString('en')} services (${(statusText.length / 1e6).toFixed(0)} MB, ${checks.toLocaleString('en')} checks in the model; ${rounds} rounds):`,
      `  read + parse + evaluate + all green: median ${median.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target ≤ 300 ms) ${p95 <= 300 ? 'OK' : 'OVER TARGET'}`,
      `  CPU time of the same: median ${quantile(cpuTimes, 0.5).toFixed(0)} ms, p95 ${quantile(cpuTimes, 0.95).toFixed(0)} ms (load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores)`,
      `  of which read + parse status.dat and objects.cache: median ${quantile(phases.read, 0.5).toFixed(0)} ms; evaluate + query: median ${quantile(phases.evaluate, 0.5).toFixed(0)} ms`,
      ...(await benchModelPrometheus()),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) process.stdout.write(`${(await benchModel()).join('\n')}\n`);
