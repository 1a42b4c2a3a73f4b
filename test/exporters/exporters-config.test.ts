// `exporters:` in vigil.yaml: validated when the config loads (errors name the path), secrets only
// from the environment, and the loaded config turned into transports and Nagios names.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findLiteralSecrets } from '../../src/config/literal-secrets.ts';
import { validateConfig } from '../../src/config/validate-config.ts';
import { createExporters, namingFor } from '../../src/exporters/index.ts';
import { buildCheckResult } from '../../src/exporters/nagios/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';
import { flakyRun } from './nagios/run-results.ts';
import { quietLog } from './prometheus/helpers.ts';

const base = (exporters: unknown, extra: { nagiosHost?: string; suiteNagios?: unknown } = {}) => ({
  environments: { production: { baseURL: 'http://127.0.0.1:9', tenants: 'shop', ...(extra.nagiosHost ? { nagiosHost: extra.nagiosHost } : {}) } },
  tenants: { shop: { kind: 'module', module: path.join(repoRoot, 'tenants/demo-module.ts') } },
  suites: {
    checkout: { path: path.join(repoRoot, 'suites/demo'), environments: ['production'], ...(extra.suiteNagios ? { nagios: extra.suiteNagios } : {}) },
  },
  exporters,
});

const problemsOf = (input: unknown) => {
  const v = validateConfig(input, { baseDir: repoRoot });
  return v.ok ? [] : v.problems;
};

describe('exporters config', () => {
  it('is optional: no section means Prometheus only, with spool defaults', () => {
    const v = validateConfig(base(undefined), { baseDir: repoRoot });
    assert.ok(v.ok, JSON.stringify(!v.ok && v.problems));
    assert.equal(v.config.exporters.nagios.commandFile, undefined);
    assert.deepEqual(v.config.exporters.spool, { maxAge: 86_400_000, maxAttempts: 200 });
    assert.equal(v.config.exporters.nagios.timeout, 10_000);
  });

  it('refuses transport options that cannot work, naming the path', () => {
    assert.deepEqual(
      problemsOf(base({ nagios: { nsca: { host: 'nagios', encryption: 'blowfish', password: 'x' } } })).map((p) => p.split(':')[0]),
      ['exporters.nagios.nsca.encryption'],
    );
    assert.match(problemsOf(base({ nagios: { nsca: { host: 'nagios', encryption: 'blowfish', password: 'x' } } }))[0], /not supported; use one of 0 \(none\)/);
    assert.match(
      problemsOf(base({ nagios: { nsca: { host: 'nagios', encryption: 'aes' } } }))[0],
      /^exporters\.nagios\.nsca\.password: .*needs the nsca\.cfg password/,
    );
    assert.match(
      problemsOf(base({ nagios: { icinga2: { url: 'http://icinga:5665', user: 'u', password: 'p' } } }))[0],
      /^exporters\.nagios\.icinga2\.url: .*HTTPS only/,
    );
    assert.match(
      problemsOf(base({ nagios: { icinga2: { url: 'https://icinga:5665', user: 'u', password: 'p', ca: 'nope/ca.crt' } } }))[0],
      /^exporters\.nagios\.icinga2\.ca: file .*nope\/ca\.crt not found/,
    );
    assert.match(problemsOf(base({ nagios: { stateMap: { flaky: 5 } } }))[0], /^exporters\.nagios\.stateMap\.flaky: must be a Nagios state/);
    assert.match(problemsOf(base({ prometheus: { textfile: '/var/lib/node_exporter/vigil.txt' } }))[0], /^exporters\.prometheus\.textfile: must end in \.prom/);
    assert.match(problemsOf(base({ nagios: { comandFile: '/x' } }))[0], /^exporters\.nagios\.comandFile: unknown key — did you mean 'commandFile'\?/);
    assert.match(problemsOf(base({}, { nagiosHost: 'shop;prod' }))[0], /^environments\.production\.nagiosHost: .*not a valid Nagios host name/);
  });

  it('refuses literal passwords and tokens, suggesting a variable', () => {
    const problems = findLiteralSecrets({
      exporters: {
        nagios: {
          nsca: { host: 'n', password: 'hunter22' },
          nrdp: { url: 'https://n/nrdp/', token: 'tok-123456' },
          icinga2: { password: '${ICINGA_PASSWORD}' },
        },
      },
    });
    assert.deepEqual(problems, [
      'exporters.nagios.nsca.password: put secrets in the environment, e.g. "${NSCA_PASSWORD}"',
      'exporters.nagios.nrdp.token: put secrets in the environment, e.g. "${NRDP_TOKEN}"',
    ]);
  });

  it('names hosts and services from environments and suites, with per-suite state maps over the global one', () => {
    const v = validateConfig(
      base(
        { nagios: { servicePrefix: 'web-', stateMap: { flaky: 2, error: 2 } } },
        { nagiosHost: 'shop-prod', suiteNagios: { service: 'shop-checkout', stateMap: { flaky: 0 } } },
      ),
      { baseDir: repoRoot },
    );
    assert.ok(v.ok, JSON.stringify(!v.ok && v.problems));
    const check = buildCheckResult(flakyRun(), namingFor(v.config, { suite: 'checkout', environment: 'production' }));
    assert.equal(check.host, 'shop-prod');
    assert.equal(check.service, 'shop-checkout');
    assert.equal(check.state, 0, 'the suite keeps flaky green');
    const plain = namingFor({ exporters: { nagios: { servicePrefix: 'web-' } } }, { suite: 'checkout', environment: 'staging' });
    assert.deepEqual(plain, { host: 'staging', servicePrefix: 'web-' });
  });

  it('builds one transport per configured way in, and Prometheus counters for each', async () => {
    const v = validateConfig(
      base({ nagios: { commandFile: 'nagios.cmd', nsca: { host: '127.0.0.1' }, nrdp: { url: 'http://127.0.0.1:9/nrdp/', token: 't0ken-abc' } } }),
      { baseDir: repoRoot },
    );
    assert.ok(v.ok, JSON.stringify(!v.ok && v.problems));
    assert.equal(v.config.exporters.nagios.commandFile, path.join(repoRoot, 'nagios.cmd'), 'relative to the config file');
    const store = await openStore(':memory:');
    try {
      const exporters = await createExporters({ config: v.config, store, log: quietLog(), version: 'test', processMetrics: false });
      assert.deepEqual(
        exporters.transports.map((t) => t.name),
        ['command-file', 'nsca', 'nrdp'],
      );
      const text = await exporters.prometheus.metrics();
      for (const name of ['command-file', 'nsca', 'nrdp']) {
        assert.match(text, new RegExp(`vigil_export_dropped_total\\{exporter="${name}"\\} 0`));
        assert.match(text, new RegExp(`vigil_export_spooled\\{exporter="${name}"\\} 0`));
      }
      await exporters.fanOut.close();
    } finally {
      await store.close();
    }
  });
});
