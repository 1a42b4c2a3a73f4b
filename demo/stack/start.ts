// `node demo/stack/start.ts [--members 3] [--green 0] [--dir DIR] [--check-interval 5] [--json]`
// Starts the example stack, prints where everything is and a ready-made vigil.yaml, and runs until
// Ctrl-C (or SIGTERM). Lines typed on stdin drive it: kill app-0, restart app-0, maint app-0,
// ready app-0, switch green, nagios <external command>, runtime <any HAProxy runtime command> — the
// same commands as `node demo/stack/control.ts <dir> …` from another terminal (demo/stack/commands.ts),
// which is what the scenarios' actions in the printed vigil.yaml run.
// --json prints one JSON line instead of the text (for scripts and tests).
import { createInterface } from 'node:readline';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { runStackCommand, stackCommands } from './commands.ts';
import { startStack, type Stack } from './stack.ts';

const repoRoot = join(import.meta.dirname, '..', '..');

function fail(message: string): never {
  process.stderr.write(`demo/stack: ${message}\n`);
  process.exit(2);
}

let values;
try {
  values = parseArgs({
    options: {
      members: { type: 'string', default: '3' },
      green: { type: 'string', default: '0' },
      dir: { type: 'string' },
      'check-interval': { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(`${(err as Error).message}\nusage: node demo/stack/start.ts [--members N] [--green N] [--dir DIR] [--check-interval SECONDS] [--json]`);
}
const whole = (text: string, flag: string, min: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) fail(`--${flag}: "${text}" is not a whole number ≥ ${min}`);
  return n;
};
const members = whole(values.members, 'members', 1);
const green = whole(values.green, 'green', 0);
const checkInterval = whole(values['check-interval'], 'check-interval', 1);

let stack: Stack;
try {
  stack = await startStack({ members, green, dir: values.dir, checkInterval });
} catch (err) {
  fail(`the stack did not start: ${(err as Error).message}`);
}

let stopping = false;
const stop = (code: number) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write('demo/stack: stopping…\n');
  stack.stop().then(
    () => process.exit(code),
    (err: Error) => {
      process.stderr.write(`demo/stack: stop: ${err.message}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const configFile = await stack.writeVigilYaml();
const vigil = `node ${relative(process.cwd(), join(repoRoot, 'src/cli/vigil.ts')) || 'src/cli/vigil.ts'}`;
const all = [...stack.members, ...stack.green];
const scenariosDir = relative(process.cwd(), join(repoRoot, 'scenarios')) || '.';
const features = (...names: string[]) => names.map((f) => join(scenariosDir, `${f}.feature`)).join(' ');
// blue-green.feature needs a green backend (--green 1 or more).
const passing = features(...(green ? ['blue-green'] : []), 'member-loss');

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({
      dir: stack.dir,
      lbUrl: stack.lbUrl,
      adminToken: stack.adminToken,
      members: all.map((m) => ({ name: m.name, url: m.url, pid: m.pid, backend: m.backend })),
      nagios: stack.nagios,
      prometheusUrl: stack.prometheusUrl,
      control: stack.control,
      haproxy: { socket: stack.haproxy.socket, routesMap: stack.haproxy.routesMap, statsUrl: stack.haproxy.statsUrl },
      processGroups: stack.processGroups(),
      configFile,
    })}\n`,
  );
} else {
  process.stdout.write(`Vigil's example stack is up (files in ${stack.dir})

  load balancer   ${stack.lbUrl}   HAProxy; stats ${stack.haproxy.statsUrl}/stats, exporter ${stack.haproxy.statsUrl}/metrics
${all.map((m) => `  ${m.name.padEnd(14)}  ${m.url}   demo app, pid ${m.pid}, backend ${m.backend}`).join('\n')}
  runtime API     ${stack.haproxy.socket}   (level admin)
  Nagios          ${stack.nagios.statusFile}   command file ${stack.nagios.commandFile}
  Prometheus      ${stack.prometheusUrl}   scrapes HAProxy every second
  control         node ${relative(process.cwd(), join(repoRoot, 'demo/stack/control.ts')) || 'demo/stack/control.ts'} ${stack.dir} <command>   (what the scenario actions run)

Vigil config (${configFile}):
---
${stack.vigilYaml()}---
Try it (from ${repoRoot}):
  export DEMO_ADMIN_TOKEN=${stack.adminToken}
  ${vigil} run --suite demo --environment stack --config ${configFile}
  ${vigil} model show shop --transitive --config ${configFile}
  kill app-0          (typed here: SIGKILL the member's processes)
  ${vigil} model check app-0 --expect all-red --within 1m --recheck --config ${configFile}
  ${vigil} model check shop --expect all-green --config ${configFile}
  restart app-0 · maint app-0 · ready app-0 ${green ? '· switch green · switch app ' : ''}· nagios DISABLE_SVC_CHECK;app-0;HTTP · runtime show stat
  ${vigil} scenario run ${passing} --config ${configFile}   (docs/scenarios.md)
  ${vigil} scenario run ${features('negative-control')} --config ${configFile}   (expected to fail: exit 2, "disabled")

Ctrl-C stops everything.
`);
}

// Commands typed on stdin. Without a terminal (stdin closed or /dev/null) the stack just keeps running.
const commands = stackCommands(stack);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  runStackCommand(stack, line, commands).then(
    (answer) => process.stderr.write(`demo/stack: ${answer}\n`),
    (err: Error) => process.stderr.write(`demo/stack: ${line.trim().split(/\s+/)[0]}: ${err.message}\n`),
  );
});
