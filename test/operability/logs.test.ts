// Logs: JSON for collectors (service mode, a container), readable on a terminal; secrets masked in both.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createLogger, type LogFormat } from '../../src/shared/create-logger.ts';
import { createRedactor } from '../../src/shared/redact.ts';

const SECRET = 'tok-9f8e7d6c5b4a';
const loggerUrl = pathToFileURL(path.resolve(import.meta.dirname, '../../src/shared/create-logger.ts')).href;
const redactUrl = pathToFileURL(path.resolve(import.meta.dirname, '../../src/shared/redact.ts')).href;

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-logs-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Logs two lines through a real logger into a file (not a terminal) and returns what was written. */
function logToFile(name: string, format: LogFormat | undefined): string {
  const file = path.join(dir, name);
  const fd = openSync(file, 'w');
  try {
    const log = createLogger({ redact: createRedactor([SECRET]), level: 'info', destination: fd, format });
    log.info({ tenant: 'vigil-demo-1', headers: { authorization: `Bearer ${SECRET}` } }, 'tenant created');
    log.error(`POST /admin/tenants?token=${SECRET} answered 500`);
  } finally {
    closeSync(fd);
  }
  return readFileSync(file, 'utf8');
}

describe('log format', () => {
  it('json: one JSON object per line, secrets masked in fields and messages', () => {
    const text = logToFile('json.log', 'json');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.equal(lines[0].msg, 'tenant created');
    assert.equal(lines[0].headers.authorization, 'Bearer ***');
    assert.equal(lines[1].msg, 'POST /admin/tenants?token=*** answered 500');
    assert.equal(lines[1].level, 50);
    assert.ok(!text.includes(SECRET));
  });

  it('auto, when the destination is not a terminal: JSON (a container, a pipe to a collector)', () => {
    const text = logToFile('auto.log', 'auto');
    assert.doesNotThrow(() =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
  });

  it('pretty: a readable line with level and message, secrets masked, no colour codes in a file', () => {
    const text = logToFile('pretty.log', 'pretty');
    assert.match(text, /INFO.*: tenant created/);
    assert.match(text, /ERROR.*: POST \/admin\/tenants\?token=\*\*\* answered 500/);
    assert.match(text, /"authorization": "Bearer \*\*\*"/);
    assert.ok(!text.includes(SECRET));
    assert.ok(!text.includes('\x1b['), 'no ANSI colours when not writing to a terminal');
    assert.throws(() => JSON.parse(text.split('\n')[0]));
  });
});

// `script` gives the child a real pseudo-terminal on stdin/stdout/stderr, as an operator's shell does.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

describe('log format on a real terminal', { skip: hasScript ? false : 'script(1) not installed (bsdutils)' }, () => {
  async function logOnTerminal(env: NodeJS.ProcessEnv): Promise<string> {
    const child = path.join(dir, 'tty-child.ts');
    await writeFile(
      child,
      `import { createLogger } from ${JSON.stringify(loggerUrl)};
import { createRedactor } from ${JSON.stringify(redactUrl)};
const log = createLogger({ redact: createRedactor([${JSON.stringify(SECRET)}]) });
log.info({ token: ${JSON.stringify(SECRET)} }, 'hello from a terminal');
`,
    );
    return new Promise((resolve, reject) => {
      const p = spawn('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(child)}`, '/dev/null'], {
        env: { ...process.env, VIGIL_LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
      p.on('error', reject);
      p.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`script exited ${code}: ${out}`));
      });
    });
  }

  it('is pretty by default', async () => {
    const out = await logOnTerminal({ VIGIL_LOG_FORMAT: undefined });
    assert.match(out, /INFO.*hello from a terminal/);
    assert.ok(!out.includes('{"level"'), out);
    assert.ok(!out.includes(SECRET));
  });

  it('is JSON when VIGIL_LOG_FORMAT=json', async () => {
    const out = await logOnTerminal({ VIGIL_LOG_FORMAT: 'json' });
    const line = JSON.parse(out.trim().split(/\r?\n/).at(-1)!);
    assert.equal(line.msg, 'hello from a terminal');
    assert.equal(line.token, '***');
  });
});
