// The tenant's two steps of a run: set up (ledger row first, then create, its teardown registered the
// moment the tenant exists) and tear down (destroy within a grace of its own, the ledger told either
// way). A tenant that cannot be destroyed stays in the ledger for the reaper; it never hides the outcome.
import type { RunResult } from '../core/index.ts';
import { messageOf } from '../shared/errors.ts';
import { publicFields, tenantName } from '../tenants/index.ts';
import type { TenantFields } from '../tenants/types.ts';
import { fail, interruption, seconds, type Emit, type RunContext, type Target, type Teardown } from './run-context.ts';

// Teardown must not depend on the run's (possibly aborted) signal, but must not hang forever either.
const TEARDOWN_GRACE_MS = 60_000;

/** Ledger row, then create; registers the tenant's teardown as soon as it exists. */
export async function setUpTenant(
  ctx: RunContext,
  target: Target,
  result: RunResult,
  emit: Emit,
  teardowns: Teardown[],
  signal?: AbortSignal,
): Promise<TenantFields | undefined> {
  const { store, storeWrite, redact, clock } = ctx;
  const { provisioner, environment } = target;
  const { runId } = result;
  const name = tenantName(provisioner.prefix, result.suite);
  const tenant: NonNullable<RunResult['tenant']> = { id: '', name, state: 'creating' };
  // Ledger first: if Vigil dies between here and teardown, the reaper still finds this tenant. A ledger
  // that cannot be written means no tenant is made, rather than one nobody could find again.
  const begun = await storeWrite('ledger', runId, `the ledger row of tenant ${name}`, () =>
    store.tenants.begin({
      name,
      provisioner: provisioner.name,
      suite: result.suite,
      environment: environment.name,
      baseURL: environment.baseURL,
      runId,
      createdAt: clock().toISOString(),
    }),
  );
  if (!begun) return void fail(result, 'tenant_setup', `no tenant was created: the tenant ledger in the store (${store.path}) cannot be written; see the log`);
  result.tenant = tenant;
  emit({ type: 'phase', runId, phase: 'tenant_setup', detail: name });
  const setupStart = performance.now();
  try {
    const fields = await provisioner.create({ name, environment }, signal);
    tenant.id = fields.id;
    tenant.state = 'active';
    // The teardown first: whatever happens to the ledger now, this tenant is deleted at the end.
    teardowns.push(() => tearDownTenant(ctx, target, fields, result, emit));
    await storeWrite('ledger', runId, `tenant ${name} as active`, () => store.tenants.activate(name, publicFields(fields, provisioner)));
    return fields;
  } catch (err) {
    const message = redact(messageOf(err));
    tenant.state = 'create_failed';
    tenant.error = message;
    await storeWrite('ledger', runId, `tenant ${name} as create_failed`, () => store.tenants.finish(name, 'create_failed', message));
    if (signal?.aborted) fail(result, 'interrupted', interruption(signal, `while the tenant was being created: ${message}`));
    else fail(result, 'tenant_setup', message);
    return undefined;
  } finally {
    result.phases.tenant_setup = seconds(performance.now() - setupStart);
  }
}

async function tearDownTenant(ctx: RunContext, target: Target, fields: TenantFields, result: RunResult, emit: Emit): Promise<void> {
  const { store, storeWrite, redact, log } = ctx;
  const tenant = result.tenant!;
  emit({ type: 'phase', runId: result.runId, phase: 'teardown', detail: tenant.name });
  const teardownStart = performance.now();
  try {
    await target.provisioner.destroy({ name: tenant.name, fields, environment: target.environment }, AbortSignal.timeout(TEARDOWN_GRACE_MS));
    tenant.state = 'destroyed';
  } catch (err) {
    // Never hides the test outcome: the tenant stays in the ledger for the reaper.
    const message = redact(messageOf(err));
    tenant.state = 'teardown_failed';
    tenant.error = message;
    log.error({ runId: result.runId, tenant: tenant.name, err: message }, 'tenant teardown failed; left for the reaper');
  } finally {
    const state = tenant.state === 'destroyed' ? 'destroyed' : 'teardown_failed';
    await storeWrite('ledger', result.runId, `tenant ${tenant.name} as ${state}`, () => store.tenants.finish(tenant.name, state, tenant.error));
    result.phases.teardown = seconds(performance.now() - teardownStart);
  }
}
