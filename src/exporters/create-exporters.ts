// Builds what `exporters:` in vigil.yaml asks for: the Prometheus exporter (always; restored from the
// store so a restart keeps "last success"), one transport per configured Nagios way in, and the fan-out
// that feeds them all.
import { locationRuleOf } from '../core/index.ts';
import type { VigilConfig } from '../config/schema.ts';
import type { Log } from '../shared/log.ts';
import type { Store } from '../store/types.ts';
import { createExportFanOut, type ExportFanOut } from './fan-out.ts';
import { createCommandFileTransport, createIcinga2Transport, createNrdpTransport, createNscaTransport, type Transport } from './nagios/index.ts';
// The exporter's own module, not prometheus/index.ts (which loads node:http for `vigil metrics`: see
// src/api/routes-health.ts).
import { createPrometheusExporter, type PrometheusExporter } from './prometheus/prometheus-exporter.ts';

export interface Exporters {
  prometheus: PrometheusExporter;
  transports: Transport[];
  fanOut: ExportFanOut;
}

export interface CreateExportersDeps {
  config: VigilConfig;
  store: Store;
  log: Log;
  version: string;
  revision?: string;
  redact?: (text: string) => string;
  clock?: () => Date;
  /** Node's process_* metrics on /metrics (default true). */
  processMetrics?: boolean;
}

/** One transport per configured way into Nagios/Icinga, in a fixed order. */
export function createTransports(nagios: VigilConfig['exporters']['nagios']): Transport[] {
  const transports: Transport[] = [];
  if (nagios.commandFile) transports.push(createCommandFileTransport({ path: nagios.commandFile }));
  if (nagios.nsca) transports.push(createNscaTransport(nagios.nsca));
  if (nagios.nrdp) transports.push(createNrdpTransport({ ...nagios.nrdp, timeoutMs: nagios.timeout }));
  if (nagios.icinga2) transports.push(createIcinga2Transport({ ...nagios.icinga2, timeoutMs: nagios.timeout }));
  return transports;
}

export async function createExporters(deps: CreateExportersDeps): Promise<Exporters> {
  const { config, store, log } = deps;
  const transports = createTransports(config.exporters.nagios);
  const prometheus = createPrometheusExporter({
    version: deps.version,
    ...(deps.revision ? { revision: deps.revision } : {}),
    log,
    lastResults: store.runs,
    ledger: store.tenants,
    targets: Object.entries(config.suites).flatMap(([suite, s]) => {
      const locations = locationRuleOf(s);
      return s.environments.map((environment) => ({ suite, environment, ...(locations ? { locations } : {}) }));
    }),
    exporters: transports.map((t) => t.name),
    processMetrics: deps.processMetrics,
    publicURL: config.api.publicURL,
    clock: deps.clock,
  });
  const fanOut = createExportFanOut({ store, prometheus, transports, config, log, clock: deps.clock, redact: deps.redact });
  const counts = await store.spool.counts();
  for (const t of transports) prometheus.observeSpool(t.name, counts[t.name] ?? 0);
  return { prometheus, transports, fanOut };
}
