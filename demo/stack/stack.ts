// The example infrastructure of docs/model.md ("Try it: the example stack"): demo-app members behind
// HAProxy, a Nagios checking them for real, Prometheus scraping HAProxy — all child processes on
// 127.0.0.1 in one temp dir, each in its own process group, stopped by stop(), on our exit, and by the
// guardian if we are killed outright.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from './child.ts';
import type { Stack, StackMember, StackOptions } from './stack-types.ts';
import { runStackCommand } from './commands.ts';
import { controlSocketPath, listenControl, type ControlServer } from './control-server.ts';
import { withFreePorts } from './free-port.ts';
import { startGuardian } from './guardian.ts';
import { haproxyPaths, haproxyRuntime, serverStates, startHaproxy } from './haproxy.ts';
import { startMember } from './member.ts';
import { modelYaml, vigilYaml, type StackDescription } from './model-yaml.ts';
import { nagiosPaths, readNagiosStatus, startNagios } from './nagios.ts';
import { startPrometheus } from './prometheus.ts';

export type { Stack, StackMember, StackOptions } from './stack-types.ts';

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const memberCount = opts.members ?? 3;
  const greenCount = opts.green ?? 0;
  if (!Number.isInteger(memberCount) || memberCount < 1) throw new Error(`startStack: members must be a whole number ≥ 1, got ${memberCount}`);
  if (!Number.isInteger(greenCount) || greenCount < 0) throw new Error(`startStack: green must be a whole number ≥ 0, got ${greenCount}`);
  const checkInterval = opts.checkInterval ?? 5;
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'vigil-stack-')));
  if (!ownDir) await mkdir(dir, { recursive: true });
  const adminToken = randomBytes(16).toString('hex');
  const dbPath = join(dir, 'shop.db');
  const guardian = startGuardian();

  // Set once HAProxy and Prometheus have bound them (withFreePorts).
  let [lbPort, statsPort, prometheusPort] = [0, 0, 0];
  const specs = [
    ...Array.from({ length: memberCount }, (_, i) => ({ name: `app-${i}`, backend: 'app' })),
    ...Array.from({ length: greenCount }, (_, i) => ({ name: `green-${i}`, backend: 'green' })),
  ];
  // Each member picks its port as it first binds it (0); restarts reuse it.
  const ports = new Map<string, number>(specs.map((s) => [s.name, 0]));

  const memberChildren = new Map<string, Child | undefined>();
  const infra: Child[] = [];
  let control: ControlServer | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // No more commands from outside while the stack goes away.
      await control?.close();
      // Monitoring first, so it does not record the members' shutdown as an outage.
      for (const child of [...infra].reverse()) await child.stop();
      await Promise.all([...memberChildren.values()].map((c) => c?.stop()));
      await guardian.close();
      if (ownDir) await rm(dir, { recursive: true, force: true });
    })());

  const launchMember = async (name: string) => {
    const { child, port } = await startMember({ name, port: ports.get(name)!, dbPath, adminToken, dir, guardian });
    ports.set(name, port);
    return child;
  };
  try {
    // The first member creates the shared database; the others then open it together.
    memberChildren.set(specs[0].name, await launchMember(specs[0].name));
    await Promise.all(specs.slice(1).map(async (s) => memberChildren.set(s.name, await launchMember(s.name))));

    const backends = [
      { name: 'app', servers: specs.filter((s) => s.backend === 'app').map((s) => ({ name: s.name, port: ports.get(s.name)! })) },
      ...(greenCount ? [{ name: 'green', servers: specs.filter((s) => s.backend === 'green').map((s) => ({ name: s.name, port: ports.get(s.name)! })) }] : []),
    ];
    const haproxy = await withFreePorts(2, ([lb, stats]) => startHaproxy({ dir, lbPort: lb, statsPort: stats, backends }, guardian));
    [lbPort, statsPort] = haproxy.ports;
    infra.push(haproxy.started);
    const [nagios, prometheus] = await Promise.allSettled([
      startNagios(
        {
          dir,
          statsPort,
          checkInterval,
          ...(opts.passive ? { passive: opts.passive } : {}),
          hosts: [{ name: 'lb', port: lbPort }, ...specs.map((s) => ({ name: s.name, port: ports.get(s.name)!, hostgroup: s.backend, backend: s.backend }))],
        },
        guardian,
      ),
      withFreePorts(1, ([port]) => startPrometheus({ dir, port, haproxyTarget: `127.0.0.1:${statsPort}` }, guardian)).then(({ ports, started }) => {
        prometheusPort = ports[0];
        return started;
      }),
    ]);
    for (const started of [nagios, prometheus]) if (started.status === 'fulfilled') infra.push(started.value);
    for (const started of [nagios, prometheus]) if (started.status === 'rejected') throw started.reason;
  } catch (err) {
    await stop();
    throw err;
  }

  const hp = haproxyPaths(dir);
  const np = nagiosPaths(dir);
  const lbUrl = `http://127.0.0.1:${lbPort}`;
  const toMember = (s: { name: string; backend: string }): StackMember => ({
    name: s.name,
    backend: s.backend,
    port: ports.get(s.name)!,
    url: `http://127.0.0.1:${ports.get(s.name)}`,
    get pid() {
      const child = memberChildren.get(s.name);
      return child && !child.exited() ? child.pid : -1;
    },
  });
  const description: StackDescription = {
    dir,
    lbUrl,
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    nagios: { statusFile: np.statusFile, commandFile: np.commandFile, objectCache: np.objectCache },
    checkInterval,
    members: specs.filter((s) => s.backend === 'app').map((s) => s.name),
    greenMembers: specs.filter((s) => s.backend === 'green').map((s) => s.name),
  };
  const known = (name: string) => {
    if (!ports.has(name)) throw new Error(`no member ${JSON.stringify(name)} in the stack (members: ${[...ports.keys()].join(', ')})`);
  };
  const runtime = (command: string) => haproxyRuntime(hp.socket, command);

  const stack: Stack = {
    dir,
    adminToken,
    lbUrl,
    members: specs.filter((s) => s.backend === 'app').map(toMember),
    green: specs.filter((s) => s.backend === 'green').map(toMember),
    nagios: { statusFile: np.statusFile, commandFile: np.commandFile, objectCache: np.objectCache, log: np.log, status: () => readNagiosStatus(dir) },
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    control: controlSocketPath(dir),
    haproxy: { socket: hp.socket, routesMap: hp.routes, statsUrl: `http://127.0.0.1:${statsPort}`, runtime, servers: () => serverStates(hp.socket) },
    processGroups: () => [guardian.pid, ...infra, ...memberChildren.values()].flatMap((c) => (typeof c === 'number' ? [c] : c && !c.exited() ? [c.pid] : [])),
    modelYaml: (o) => modelYaml(description, o),
    vigilYaml: (o) => vigilYaml(description, o),
    async writeVigilYaml(o = {}) {
      const file = o.file ?? join(dir, 'vigil.yaml');
      await writeFile(file, vigilYaml(description, o));
      return file;
    },
    async kill(name) {
      known(name);
      await memberChildren.get(name)?.kill();
    },
    async restart(name) {
      known(name);
      await memberChildren.get(name)?.stop();
      memberChildren.set(name, undefined);
      memberChildren.set(name, await launchMember(name));
    },
    stop,
  };
  try {
    control = await listenControl(stack.control, (line) => runStackCommand(stack, line));
  } catch (err) {
    await stop();
    throw err;
  }
  return stack;
}
