// `node demo/stack/control.ts <stack dir> <command> [args…]` — drives a running stack from outside its
// process, so a scenario action can be a plain command (the stack's vigil.yaml defines them this way):
//   node demo/stack/control.ts /tmp/vigil-stack-Ab12Cd kill app-0
//   node demo/stack/control.ts /tmp/vigil-stack-Ab12Cd switch shop green
//   node demo/stack/control.ts /tmp/vigil-stack-Ab12Cd nagios 'DISABLE_SVC_CHECK;app-0;HTTP'
// The commands are those typed into start.ts (demo/stack/commands.ts). Prints the stack's answer;
// exit 0 when it did it, 1 when it refused or failed, 2 on bad usage or no stack at that dir.
import { createConnection } from 'node:net';
import { controlSocketPath } from './control-server.ts';

const TIMEOUT_MS = 30_000;
const [dir, ...command] = process.argv.slice(2);
if (!dir || !command.length) {
  process.stderr.write('usage: node demo/stack/control.ts <stack dir> <command> [args…]   (kill, restart, maint, ready, switch, nagios, runtime)\n');
  process.exit(2);
}

const socket = controlSocketPath(dir);
const conn = createConnection(socket);
let answer = '';
conn.setEncoding('utf8');
conn.setTimeout(TIMEOUT_MS, () => conn.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000}s`)));
conn.on('connect', () => conn.write(`${command.join(' ')}\n`));
conn.on('data', (d: string) => (answer += d));
conn.on('error', (err: NodeJS.ErrnoException) => {
  const why = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? `no stack is running at ${dir} (${socket}: ${err.code})` : err.message;
  process.stderr.write(`demo/stack control: ${why}\n`);
  process.exit(2);
});
conn.on('close', (hadError) => {
  if (hadError) return;
  const line = answer.trim();
  if (line.startsWith('ok ')) {
    process.stdout.write(`${line.slice(3)}\n`);
    process.exit(0);
  }
  process.stderr.write(`demo/stack control: ${line.replace(/^error /, '') || 'the stack closed the connection without an answer'}\n`);
  process.exit(1);
});
