// Vigil's Playwright reporter: one JSON line per event to the runner, as it happens.
// Plain CommonJS so any Playwright version loads it without transpiling. Runs in Playwright's main
// process; writes to fd 3 (a pipe the runner opened) or, when that is missing, appends to a file.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
const strip = (s) => String(s ?? '').replace(ANSI, '');

function openSink() {
  const fd = Number(process.env.VIGIL_EVENTS_FD);
  if (fd) {
    try {
      if (fs.fstatSync(fd).isFIFO() || fs.fstatSync(fd).isSocket()) return fd;
    } catch {}
  }
  if (process.env.VIGIL_EVENTS_FILE) return fs.openSync(process.env.VIGIL_EVENTS_FILE, 'a');
  return undefined;
}

function writeAll(fd, text) {
  const buf = Buffer.from(text);
  let off = 0;
  // Bounded: a blocked pipe for this long means the runner is gone.
  for (let tries = 0; off < buf.length && tries < 10000; tries++) {
    try {
      off += fs.writeSync(fd, buf, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

function describeError(error, rootDir) {
  if (!error) return undefined;
  const message = strip(error.message || error.value || 'unknown error');
  const all = message.split('\n').filter((l) => l.trim() !== '');
  // The call log repeats the expectation many times; expected/received above it is what a person needs.
  const callLog = all.findIndex((l) => /^\s*Call log:/.test(l));
  const lines = callLog > 0 ? all.slice(0, callLog) : all;
  let text = lines.slice(0, 12).join('\n');
  if (text.length > 1500) text = `${text.slice(0, 1500)}…`;
  let where;
  if (error.location?.file) {
    where = `${path.relative(rootDir, error.location.file)}:${error.location.line}`;
  } else {
    const frame = strip(error.stack)
      .split('\n')
      .map((l) => l.match(/\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):\d+\)?\s*$/))
      .find((m) => m && !m[1].includes('node_modules'));
    if (frame) where = `${path.relative(rootDir, frame[1])}:${frame[2]}`;
  }
  return where ? `${text}\n    at ${where}` : text;
}

// Playwright's code frame around the failing line (TestError.snippet, 1.3x+), for the run page.
function snippetOf(error) {
  const text = strip(error?.snippet);
  return text ? (text.length > 3000 ? `${text.slice(0, 3000)}…` : text) : undefined;
}

const OUTCOME = { expected: 'passed', unexpected: 'failed', flaky: 'flaky', skipped: 'skipped' };

class VigilReporter {
  constructor() {
    this.fd = openSink();
    this.rootDir = process.env.VIGIL_SUITE_DIR || process.cwd();
  }
  emit(event) {
    if (this.fd !== undefined) writeAll(this.fd, `${JSON.stringify(event)}\n`);
  }
  printsToStdio() {
    return false;
  }
  onBegin(_config, suite) {
    this.root = suite;
    this.emit({ type: 'begin', total: suite.allTests().length });
  }
  onTestEnd(test, result) {
    // titlePath: root, project, file, ...describes, title. Project and file are noise for a person.
    const titles = test
      .titlePath()
      .slice(3)
      .filter((t) => t !== '');
    const failed = result.status !== 'passed' && result.status !== 'skipped';
    const first = failed ? result.error || result.errors?.[0] : undefined;
    const error = failed ? describeError(first, this.rootDir) : undefined;
    const project = test.parent && typeof test.parent.project === 'function' ? test.parent.project() : undefined;
    this.emit({
      type: 'test',
      id: test.id,
      title: titles.join(' › '),
      file: path.relative(this.rootDir, test.location.file),
      line: test.location.line,
      status: result.status,
      outcome: OUTCOME[test.outcome()] || 'failed',
      retry: result.retry,
      durationMs: result.duration,
      error,
      snippet: failed ? snippetOf(first) : undefined,
      project: project?.name ? project.name : undefined,
    });
  }
  onError(error) {
    this.emit({ type: 'error', message: describeError(error, this.rootDir) });
  }
  onEnd(result) {
    // Tests that never started (their setup project failed, or the run stopped early) get no
    // onTestEnd; they are counted so a summary never pretends the suite was smaller than it is.
    const notRun = this.root ? this.root.allTests().filter((t) => t.results.length === 0).length : 0;
    this.emit({ type: 'end', status: result.status, notRun });
  }
}

module.exports = VigilReporter;
