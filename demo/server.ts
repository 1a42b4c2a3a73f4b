// The demo app as a process: `DEMO_ADMIN_TOKEN=… node demo/server.ts [--port N] [--host H] [--db PATH]`.
import { parseArgs } from 'node:util';
import { startDemo } from './app.ts';
import { parseFaultList } from './faults.ts';

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: { port: { type: 'string', default: '3000' }, host: { type: 'string', default: '127.0.0.1' }, db: { type: 'string' } },
    strict: true,
  }).values;
} catch (err) {
  fail(`${(err as Error).message}\nusage: node demo/server.ts [--port N] [--host HOST] [--db PATH]`);
}

const adminToken = process.env.DEMO_ADMIN_TOKEN ?? '';
if (!adminToken) fail('DEMO_ADMIN_TOKEN is not set; it is the bearer token that guards /admin/* (e.g. DEMO_ADMIN_TOKEN=$(openssl rand -hex 16))');
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port: "${args.port}" is not a port number (0-65535)`);
let faults;
try {
  faults = parseFaultList(process.env.DEMO_FAULTS);
} catch (err) {
  fail((err as Error).message);
}

const demo = await startDemo({ port, host: args.host, adminToken, dbPath: args.db, faults }).catch((err: Error) =>
  fail(`cannot listen on ${args.host}:${port}: ${err.message}`),
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  demo.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Only now: whoever waits for this line may signal at once, and must find the handlers in place.
process.stdout.write(`demo listening on ${demo.url}\n`);
