// What every command needs, built in one place and torn down in reverse: the loaded config (or the
// bundled demo when there is none), the redactor that knows its secrets, the logger, the store and the
// provisioners. The config is loaded and checked before anything is opened, so a bad config writes nothing.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { configDocument } from '../config/config-file.ts';
import { demoConfig, demoConfigInput } from '../config/demo-config.ts';
import { loadConfig, type ConfigFile } from '../config/load-config.ts';
import type { Model } from '../config/model-schema.ts';
import type { VigilConfig } from '../config/schema.ts';
import { createExporters, type Exporters } from '../exporters/index.ts';
import { buildInfo } from '../shared/build-info.ts';
import { ConfigError } from '../shared/errors.ts';
import { createLogger } from '../shared/create-logger.ts';
import { createRedactor, type Redactor } from '../shared/redact.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/types.ts';
import { createProvisioner } from '../tenants/index.ts';
import type { Provisioner } from '../tenants/types.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const { version, revision } = buildInfo();

export interface Context {
  config: VigilConfig;
  configFile: string | null;
  /** The config file as read (the bundled demo's when there is none): sections validated on their own (`scenarios:`) come from it. */
  document?: ConfigFile;
  redact: Redactor;
  /** Variables Vigil's own settings read from its environment: the suites never inherit them. */
  withheldVariables: string[];
  log: Logger;
  store: Store;
  provisioners: Map<string, Provisioner>;
  /** Prometheus (restored from the store), the Nagios transports, and the fan-out with its spool. */
  exporters: Exporters;
  /**
   * The service model (`model:`), resolved from the file already read, once; its secrets join the
   * redactor and its variables the withheld ones. Rejects when the config has none.
   */
  model(): Promise<Model>;
  /** Set when the bundled demo app runs in this process (no config file). */
  demo?: { url: string };
  /** Runs `fn` first when the context closes (what a command built on top of it: shared browsers). */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface ContextOptions {
  config?: string;
  /** The config file already read (by loadModel): not read again. */
  document?: ConfigFile;
  logLevel?: string;
}

export async function loadContext(opts: ContextOptions): Promise<Context> {
  const redact = createRedactor();
  const log = createLogger({ redact, level: opts.logLevel });
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const fn of cleanups.reverse()) await fn();
  };

  try {
    const loaded = await loadConfig({ file: opts.config, env: process.env, ...(opts.document ? { document: opts.document } : {}) });
    redact.add(...loaded.secrets);
    let config = loaded.config;
    let withheldVariables = loaded.withheldVariables;
    let demo: Context['demo'];
    let document = loaded.document;
    if (loaded.file === null) {
      const adminToken = randomBytes(24).toString('base64url');
      redact.add(adminToken);
      // Imported lazily: a configured deployment never loads the demo app.
      const { startDemo } = await import('../../demo/app.ts');
      const app = await startDemo({ port: 0, adminToken });
      cleanups.push(() => app.close());
      demo = { url: app.url };
      // VIGIL_API_TOKEN turns on triggering for the demo too (a container tried out with `docker run -e`).
      const apiToken = process.env.VIGIL_API_TOKEN?.trim() || undefined;
      if (apiToken) {
        redact.add(apiToken);
        withheldVariables = ['VIGIL_API_TOKEN'];
      }
      const demoOptions = { baseURL: app.url, adminToken, dataDir: path.resolve('data'), repoRoot, ...(apiToken ? { apiToken } : {}) };
      config = demoConfig(demoOptions);
      // The same document a file would give, so the demo's model resolves like a configured one.
      document = configDocument(demoConfigInput(demoOptions), { file: 'bundled demo config', origin: 'built in', shown: 'bundled demo config' }, repoRoot, {});
      log.info(
        { demo: app.url, fullStack: 'node demo/stack/start.ts (HAProxy, Nagios, Prometheus; docs/model.md)' },
        'no config file: running the bundled demo app and suite',
      );
    }

    const store = await openStore(config.store, { applicationName: `vigil ${process.argv[2] ?? ''}`.trim() });
    cleanups.push(() => store.close());
    const exporters = await createExporters({ config, store, log, version, ...(revision ? { revision } : {}), redact });
    cleanups.push(() => exporters.fanOut.close());

    const provisioners = new Map<string, Provisioner>();
    const cwd = loaded.file ? path.dirname(loaded.file) : repoRoot;
    for (const [name, spec] of Object.entries(config.tenants)) {
      provisioners.set(name, createProvisioner(name, spec, { cwd, log, redact }));
    }
    // Cleanups run in reverse order: what is registered later (on top of the context) closes first.
    const onClose = (fn: () => Promise<void> | void) => void cleanups.push(fn);
    let resolving: Promise<Model> | undefined;
    const model = () =>
      (resolving ??= (async () => {
        if (!document) throw new ConfigError('no config file: the service model is declared under `model:` in it (see docs/model.md)');
        const { resolveModel } = await import('../model/load-model.ts');
        const resolved = await resolveModel(document, process.env);
        redact.add(...resolved.secrets);
        withheldVariables.push(...resolved.variables.filter((v) => !withheldVariables.includes(v)));
        return resolved.model;
      })());
    return { config, configFile: loaded.file, document, redact, withheldVariables, model, log, store, provisioners, exporters, demo, onClose, close };
  } catch (err) {
    await close();
    throw err;
  }
}
