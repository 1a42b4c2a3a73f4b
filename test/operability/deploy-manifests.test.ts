// The deployment examples in docs/deploy/ are copied by operators as they are: they must parse, agree
// with the image (port, command, user) and with Vigil's own config schema, and Prometheus must accept
// its scrape config. No Docker or Kubernetes here, so this checks what can be checked without them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load-config.ts';
import { parseDuration } from '../../src/shared/duration.ts';
import { promtool, requireTool } from '../exporters/prometheus/helpers.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';

const deployDir = path.join(repoRoot, 'docs/deploy');
const k8sDir = path.join(deployDir, 'kubernetes');

// biome-ignore lint/suspicious/noExplicitAny: walking untyped YAML
type Obj = Record<string, any>;
const k8s: Obj[] = ['config.yaml', 'deployment.yaml', 'cronjob.yaml', 'postgres.yaml'].flatMap((f) =>
  parseAllDocuments(readFileSync(path.join(k8sDir, f), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], `${f} parses`);
    return { ...(d.toJS() as Obj), __file: f };
  }),
);
const podSpecOf = (o: Obj): Obj => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);
const allWorkloads = k8s.filter((o) => ['Deployment', 'StatefulSet', 'CronJob'].includes(o.kind));
// Vigil's own (the image), not the PostgreSQL next to it.
const workloads = allWorkloads.filter((o) => /\/vigil:/.test(podSpecOf(o).containers[0].image));
const servers = workloads.filter((o) => o.kind !== 'CronJob');
// Vigil's shutdown grace for in-flight runs: `--grace`, else the ConfigMap's api.grace, else the schema's default.
const graceSecondsOf = (args: string[]): number => {
  const configMap = parse(k8s.find((o) => o.kind === 'ConfigMap')!.data['vigil.yaml'] as string) as Obj;
  const grace = args.includes('--grace') ? args[args.indexOf('--grace') + 1] : (configMap.api?.grace ?? '30s');
  return parseDuration(grace)! / 1000;
};

describe('Kubernetes manifests', () => {
  it('run the image as a non-root user with vigil arguments', () => {
    assert.equal(workloads.length, 3);
    for (const w of workloads) {
      const pod = podSpecOf(w);
      assert.equal(pod.securityContext?.runAsNonRoot, true, `${w.__file} ${w.metadata.name}`);
      const [c] = pod.containers;
      assert.ok(['serve', 'run', 'tenants'].includes(c.args[0]), `${w.metadata.name}: args ${c.args}`);
      assert.ok(c.env.some((e: Obj) => e.name === 'VIGIL_CONFIG' && e.value === '/etc/vigil/vigil.yaml'));
    }
  });

  it('serve: probes on /healthz and /readyz at the --listen port, /dev/shm in memory, the grace period plus a minute to stop', () => {
    assert.equal(servers.length, 1);
    for (const w of servers) {
      const pod = podSpecOf(w);
      const [c] = pod.containers;
      const listen = c.args[c.args.indexOf('--listen') + 1];
      const port = Number(/:(\d+)$/.exec(listen)![1]);
      assert.equal(listen, `0.0.0.0:${port}`);
      const named = c.ports.find((p: Obj) => p.containerPort === port);
      assert.ok(named, `${w.kind}: containerPort ${port}`);
      assert.equal(c.livenessProbe.httpGet.path, '/healthz');
      assert.equal(c.readinessProbe.httpGet.path, '/readyz');
      assert.equal(c.livenessProbe.httpGet.port, named.name);
      const shm = c.volumeMounts.find((m: Obj) => m.mountPath === '/dev/shm');
      assert.ok(shm, `${w.kind}: /dev/shm mounted`);
      assert.equal(pod.volumes.find((v: Obj) => v.name === shm.name).emptyDir.medium, 'Memory');
      const grace = graceSecondsOf(c.args);
      assert.ok(
        pod.terminationGracePeriodSeconds >= grace + 60,
        `${w.kind}: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds}, but Vigil waits ${grace} s for in-flight runs, then deletes their tenants`,
      );
      assert.ok(c.resources.requests.memory && c.resources.requests.cpu);
    }
  });

  it('serve: N replicas on one PostgreSQL, each named after its pod, rolled one at a time, at most one down by choice', () => {
    const deployment = servers.find((w) => w.kind === 'Deployment')!;
    assert.ok(deployment.spec.replicas >= 2, 'replicas for failover');
    assert.equal(deployment.spec.strategy.type, 'RollingUpdate', 'fires are taken once across old and new pods: no Recreate gap in monitoring');
    const c = podSpecOf(deployment).containers[0];
    const replica = c.env.find((e: Obj) => e.name === 'VIGIL_REPLICA');
    assert.equal(replica.valueFrom.fieldRef.fieldPath, 'metadata.name');
    assert.ok(!c.args.includes('--shard'), 'no static shards: every replica may take every fire');
    const data = podSpecOf(deployment).volumes.find((v: Obj) => v.name === 'data');
    assert.ok(data.emptyDir, 'no ReadWriteOnce claim shared by replicas');
    const pdb = k8s.find((o) => o.kind === 'PodDisruptionBudget')!;
    assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
    assert.ok(pdb.spec.maxUnavailable === 1 || pdb.spec.minAvailable < deployment.spec.replicas);
    // The store is the Secret's PostgreSQL URL, and it points at the Service of postgres.yaml.
    const configMap = parse(k8s.find((o) => o.kind === 'ConfigMap')!.data['vigil.yaml'] as string) as Obj;
    assert.equal(configMap.store, '${VIGIL_DATABASE_URL}');
    const secret = k8s.find((o) => o.kind === 'Secret' && o.metadata.name === 'vigil-secrets')!;
    const url = new URL(secret.stringData.VIGIL_DATABASE_URL as string);
    assert.equal(url.protocol, 'postgres:');
    const service = k8s.find((o) => o.kind === 'Service' && o.metadata.name === url.hostname)!;
    assert.ok(service, `a Service named ${url.hostname}`);
    assert.equal(service.spec.ports[0].port, Number(url.port));
    const postgres = allWorkloads.find((o) => o.kind === 'StatefulSet')!;
    assert.deepEqual(service.spec.selector, postgres.spec.selector.matchLabels);
    const pgEnv = podSpecOf(postgres).containers[0].env as Obj[];
    assert.equal(pgEnv.find((e) => e.name === 'POSTGRES_USER')?.value, url.username);
    assert.equal(pgEnv.find((e) => e.name === 'POSTGRES_DB')?.value, url.pathname.slice(1));
  });

  it('the CronJob runs one suite on one environment, never two at once, never retried', () => {
    const job = workloads.find((w) => w.kind === 'CronJob' && podSpecOf(w).containers[0].args[0] === 'run')!;
    const args: string[] = podSpecOf(job).containers[0].args;
    assert.ok(args.includes('--suite') && args.includes('--environment'), args.join(' '));
    assert.equal(job.spec.concurrencyPolicy, 'Forbid');
    assert.equal(job.spec.jobTemplate.spec.backoffLimit, 0);
  });

  describe('the ConfigMap vigil.yaml', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-deploy-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("loads with Vigil's own loader, secrets from the Secret's keys", async () => {
      const cm = k8s.find((o) => o.kind === 'ConfigMap')!;
      const secret = k8s.find((o) => o.kind === 'Secret')!;
      // Paths that exist in the image only: point them at this machine's equivalents.
      const text = (cm.data['vigil.yaml'] as string).replaceAll('/app/suites/shop', path.join(repoRoot, 'suites/demo')).replaceAll('/data/', `${dir}/`);
      const file = path.join(dir, 'vigil.yaml');
      await writeFile(file, text);
      const loaded = await loadConfig({ file, env: { ...secret.stringData } });
      assert.equal(loaded.config.store, secret.stringData.VIGIL_DATABASE_URL, 'the PostgreSQL URL from the Secret');
      assert.deepEqual(Object.keys(loaded.config.suites), ['checkout']);
      assert.deepEqual(new Set(loaded.secrets), new Set(Object.values(secret.stringData as Record<string, string>)));
    });
  });
});

describe('docker compose', () => {
  const compose = parse(readFileSync(path.join(deployDir, 'docker-compose.yml'), 'utf8')) as Obj;
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');

  it("runs Vigil with the image's command and port, built from the repository", () => {
    const vigil = compose.services.vigil;
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
    assert.deepEqual(vigil.command, cmd);
    assert.equal(path.resolve(deployDir, vigil.build), repoRoot);
    const port = /:(\d+)$/.exec(cmd[cmd.indexOf('--listen') + 1])![1];
    assert.ok(vigil.ports.includes(`${port}:${port}`));
    assert.ok(vigil.volumes.includes('vigil-data:/data'));
    assert.ok(vigil.ipc === 'host' || vigil.shm_size, 'Chromium gets enough shared memory');
    const grace = graceSecondsOf(vigil.command);
    assert.ok(
      parseDuration(vigil.stop_grace_period)! / 1000 >= grace + 60,
      `stop_grace_period ${vigil.stop_grace_period}, but Vigil waits ${grace} s for in-flight runs, then deletes their tenants`,
    );
  });

  it('mounts files that exist in the repository', () => {
    for (const [name, service] of Object.entries(compose.services as Record<string, Obj>)) {
      for (const v of (service.volumes ?? []) as string[]) {
        const source = v.split(':')[0];
        if (!source.startsWith('../') || source.includes('suites/shop')) continue;
        assert.ok(existsSync(path.resolve(deployDir, source)), `${name}: ${source}`);
      }
      for (const v of (service.volumes ?? []) as string[]) {
        const source = v.split(':')[0];
        if (source.startsWith('./prometheus') || source.startsWith('./grafana')) assert.ok(existsSync(path.resolve(deployDir, source)), `${name}: ${source}`);
      }
    }
  });

  it("Prometheus' config scrapes vigil on the image's port and passes promtool with the shipped alert rules", async (t) => {
    const promFile = path.join(deployDir, 'prometheus/prometheus.yml');
    const prom = parse(readFileSync(promFile, 'utf8')) as Obj;
    const job = prom.scrape_configs.find((s: Obj) => s.job_name === 'vigil');
    assert.deepEqual(job.static_configs[0].targets, ['vigil:9464']);
    if (!requireTool(t, 'promtool')) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-prom-'));
    try {
      // As mounted in compose: the rule file is the repository's dashboards/prometheus/vigil-alerts.yml.
      const local = { ...prom, rule_files: [path.join(repoRoot, 'dashboards/prometheus/vigil-alerts.yml')] };
      await writeFile(path.join(dir, 'prometheus.yml'), JSON.stringify(local));
      const r = await promtool(['check', 'config', path.join(dir, 'prometheus.yml')]);
      assert.equal(r.code, 0, r.output);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
