// Vigil's shared browser: one Chromium served over Playwright's own protocol (chromium.launchServer) to
// the runs of every suite on the same Playwright installation. Plain CommonJS, run by Node with the
// playwright-core of the suites it serves: client and server must be the same Playwright version.
//
// argv: <playwright-core dir> <launch options as JSON>. Prints one JSON line when ready:
// { wsEndpoint, pid, version }. Exits 0 when told to stop (SIGTERM, or stdin closed: Vigil is gone,
// even if it was killed with SIGKILL), 1 when the browser went away without being told, 2 when it never started.
'use strict';
const [coreDir, optionsJson] = process.argv.slice(2);

let stopping = false;
(async () => {
  const { chromium } = require(coreDir);
  const options = JSON.parse(optionsJson);
  // Loopback only, and Playwright puts a random path in the endpoint: only Vigil's runs find it.
  const server = await chromium.launchServer({
    ...options,
    headless: true,
    host: '127.0.0.1',
    port: 0,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const browserProcess = server.process();
  server.on('close', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`the shared browser (pid ${browserProcess.pid}) exited: code ${code}, signal ${signal}\n`);
    process.exit(1);
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const hard = setTimeout(() => {
      server.kill().finally(() => process.exit(0));
    }, 5000);
    server.close().finally(() => {
      clearTimeout(hard);
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  // The version as a connected client reads it (browser.version()): the pool logs it once.
  const probe = await chromium.connect(server.wsEndpoint());
  const version = probe.version();
  await probe.close();
  process.stdout.write(`${JSON.stringify({ wsEndpoint: server.wsEndpoint(), pid: browserProcess.pid, version })}\n`);
})().catch((err) => {
  process.stderr.write(`${err?.stack || err}\n`);
  process.exit(2);
});
