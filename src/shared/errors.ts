// Typed errors carry what a person needs to fix the problem: where (a config path, a provisioner,
// a suite) and what. `where` is printed before the message.

export class VigilError extends Error {
  readonly where: string | undefined;
  constructor(message: string, options: { where?: string; cause?: unknown } = {}) {
    super(options.where ? `${options.where}: ${message}` : message, { cause: options.cause });
    this.name = new.target.name;
    this.where = options.where;
  }
}

/** Invalid or unreadable configuration. `where` is the config path, e.g. `suites.checkout.schedule`. */
export class ConfigError extends VigilError {
  /** Each problem on its own line when a file has several. */
  readonly problems: string[];
  constructor(problems: string | string[], options: { where?: string; cause?: unknown } = {}) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.join('\n'), options);
    this.problems = list;
  }
}

/** A tenant could not be created, listed or destroyed. `where` names the provisioner and call. */
export class ProvisionError extends VigilError {}

/** The suite could not be run (Playwright missing, crashed, could not start). */
export class SuiteError extends VigilError {}

/** A result could not be delivered to a monitoring system. */
export class ExportError extends VigilError {}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err));
