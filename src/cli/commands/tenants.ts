import { createReaper } from '../../tenants/reaper.ts';
import { loadContext } from '../context.ts';

export async function tenantsListCommand(opts: { config?: string; json?: boolean; all?: boolean }): Promise<number> {
  const ctx = await loadContext({ config: opts.config, logLevel: 'warn' });
  try {
    const rows = await ctx.store.tenants.list(opts.all ? {} : { states: ['creating', 'active', 'teardown_failed', 'create_failed'] });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) {
      process.stdout.write(opts.all ? 'no tenants in the ledger\n' : 'no live tenants in the ledger (use --all for destroyed ones)\n');
      return 0;
    }
    const table = rows.map((r) => [r.name, r.state, r.environment, r.suite, r.createdAt, r.error ?? '']);
    const header = ['NAME', 'STATE', 'ENVIRONMENT', 'SUITE', 'CREATED', 'ERROR'];
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
    for (const row of [header, ...table])
      process.stdout.write(
        `${row
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd()}\n`,
      );
    return 0;
  } finally {
    await ctx.close();
  }
}

/** Exit 0 when everything due was reaped, 2 when some tenant could not be destroyed. */
export async function tenantsReapCommand(opts: { config?: string; json?: boolean }): Promise<number> {
  const ctx = await loadContext({ config: opts.config, logLevel: 'warn' });
  try {
    const reaper = createReaper({ store: ctx.store, provisioners: ctx.provisioners, config: ctx.config, log: ctx.log, clock: () => new Date() });
    const report = await reaper.reap();
    if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      process.stdout.write(`reaped ${report.ledgerReaped} tenant(s) from the ledger and ${report.remoteReaped} orphan(s) found remotely\n`);
      for (const f of report.failed) process.stdout.write(`  could not destroy ${f.name}: ${f.error}\n`);
    }
    return report.failed.length > 0 ? 2 : 0;
  } finally {
    await ctx.close();
  }
}
