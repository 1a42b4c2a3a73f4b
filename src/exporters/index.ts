export { createExporters, createTransports, type Exporters, type CreateExportersDeps } from './create-exporters.ts';
export {
  createExportFanOut,
  RETRY_BASE_MS,
  RETRY_MAX_MS,
  type ExportFanOut,
  type ExportFanOutDeps,
  type FanOutConfig,
  type RetrySummary,
} from './fan-out.ts';
export { namingFor, type NamingConfig } from './check-naming.ts';
