// The YAML a person (or a test) points Vigil at: the demo suite against the load balancer, and the
// service model of the stack — the seed's "shop" with its own checks and its members.
import { join } from 'node:path';
import { haproxyPaths } from './haproxy.ts';

export interface StackDescription {
  dir: string;
  lbUrl: string;
  prometheusUrl: string;
  nagios: { statusFile: string; commandFile: string; objectCache: string };
  /** Seconds between Nagios' scheduled checks. */
  checkInterval: number;
  members: string[];
  greenMembers: string[];
}

export interface ModelYamlOptions {
  /** Include the check on the last run of the demo suite (default true): `vigil: { suite: demo, environment: stack }`. */
  suite?: boolean;
}

export interface VigilYamlOptions extends ModelYamlOptions {
  /** Vigil's store; default vigil.db in the stack's dir. */
  store?: string;
  /** A `browser:` line (e.g. a system Chromium); default none: Vigil picks the browser itself. */
  browser?: string;
  /** `scenarios.recheck`: default absent (Thens force re-checks, the model has Nagios' command file); false waits for scheduled checks. */
  recheck?: boolean;
}

export const SUITE = 'demo';
export const ENVIRONMENT = 'stack';
const repoRoot = join(import.meta.dirname, '..', '..');
const CONTROL = join(import.meta.dirname, 'control.ts');

/** The `model:` section (top-level key included), paths absolute. */
export function modelYaml(stack: StackDescription, opts: ModelYamlOptions = {}): string {
  // What receives traffic: the HAProxy backend, read through its runtime API (`vigil model coverage`).
  const pool = (backend: string) => `      pool: { haproxy: { socket: ${haproxyPaths(stack.dir).socket}, backend: ${backend} } }`;
  const members = (group: string, min: number) => `      members:
        min: ${min}
        # Machines are rebuilt all the time: the members are whatever Nagios has in the host group.
        # Each must have HTTP (check_http on it) and LB (HAProxy has it UP), plus its host check (check_tcp).
        discover: { source: nagios, hostgroup: ${group}, checks: [HTTP, LB] }`;
  const nodes = [
    `    - name: shop
      checks:
        - nagios: { host: lb }                # check_tcp on the load balancer's port
        - nagios: { host: lb, service: HTTP } # check_http through the load balancer
        # HAProxy's own view, as Prometheus scrapes it: enough members in service (one may be lost).
        - prometheus: { query: 'haproxy_backend_active_servers{proxy="app"}', condition: ">= ${Math.min(2, stack.members.length)}" }${
          opts.suite === false
            ? ''
            : `
        - vigil: { suite: ${SUITE}, environment: ${ENVIRONMENT} }   # the demo suite's last run through the load balancer
          freshness: 1h`
        }
${pool('app')}
${members('app', Math.min(2, stack.members.length))}`,
  ];
  if (stack.greenMembers.length) {
    nodes.push(`    # The standby stack of a blue/green switch: HAProxy's backend "green".
    - name: green
      checks:
        - prometheus: { query: 'haproxy_backend_active_servers{proxy="green"}', condition: ">= ${stack.greenMembers.length}" }
${pool('green')}
${members('green', stack.greenMembers.length)}`);
  }
  return `model:
  sources:
    nagios:
      statusFile: ${stack.nagios.statusFile}
      objectCache: ${stack.nagios.objectCache}
      commandFile: ${stack.nagios.commandFile}   # for --recheck
      intervalLength: 1s                        # nagios.cfg interval_length=1: check_interval ${stack.checkInterval} is ${stack.checkInterval} s
      statusMaxAge: 15s                         # status.dat is rewritten every second
    prometheus:
      url: ${stack.prometheusUrl}   # scrapes HAProxy's exporter every second
  # Results are at most ~${stack.checkInterval} s old; 30s tolerates a busy machine and still calls a
  # Nagios whose checks stopped running stale.
  freshness: 30s
  nodes:
${nodes.join('\n')}
`;
}

/** A whole vigil.yaml: the demo suite against the load balancer, its tenant provisioner, and the model. */
export function vigilYaml(stack: StackDescription, opts: VigilYamlOptions = {}): string {
  return `# Vigil against the example stack (demo/stack). Needs DEMO_ADMIN_TOKEN in the environment.
store: ${opts.store ?? join(stack.dir, 'vigil.db')}
artifacts: { dir: ${join(stack.dir, 'artifacts')} }
${opts.browser ? `${opts.browser}\n` : ''}environments:
  ${ENVIRONMENT}: { baseURL: "${stack.lbUrl}", tenants: demo }
tenants:
  demo:
    kind: http
    ttl: 2h
    timeout: 10s
    create:
      method: POST
      url: "{{environment.baseURL}}/admin/tenants"
      headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" }
      body: { name: "{{tenant.name}}" }
    fields: { id: id, email: owner.email, password: owner.password }
    delete:
      method: DELETE
      url: "{{environment.baseURL}}/admin/tenants/{{tenant.id}}"
      headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" }
    list:
      method: GET
      url: "{{environment.baseURL}}/admin/tenants"
      headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" }
      items: tenants
      fields: { id: id, name: name, createdAt: createdAt }
suites:
  ${SUITE}:
    path: ${join(repoRoot, 'suites', 'demo')}
    environments: [${ENVIRONMENT}]
    timeout: 3m
    retries: 1
${modelYaml(stack, opts)}${scenariosYaml(stack, opts)}`;
}

/**
 * `scenarios:` — the actions of scenarios/*.feature on this stack. Each is `control.ts <dir> <command>`
 * (demo/stack/commands.ts) run with the Node that wrote this file; every change names its undo, so the
 * member comes back, the route goes back to blue and the check is enabled again whatever happens.
 */
export function scenariosYaml(stack: StackDescription, opts: { recheck?: boolean } = {}): string {
  const control = (...args: string[]) => `[${[process.execPath, CONTROL, stack.dir, ...args].map((a) => JSON.stringify(a)).join(', ')}]`;
  return `scenarios:
  within: 1m          # a Then's deadline when it names none
  interval: 500ms     # status.dat is rewritten every second
${opts.recheck === undefined ? '' : `  recheck: ${opts.recheck}\n`}  actions:
    # "When I destroy member "app-0"": SIGKILL, returns once HAProxy has taken it out.
    destroy-member:
      command: ${control('kill', '{{member}}')}
      undo: restore-member
    # Starts it again, returns once HAProxy has it UP.
    restore-member:
      command: ${control('restart', '{{member}}')}
    # "When I drain member "app-0"": HAProxy's runtime API takes it out of its backend (state maint);
    # the member keeps running, so only what looks through the load balancer can notice.
    drain-member:
      command: ${control('maint', '{{member}}')}
      undo: ready-member
    ready-member:
      command: ${control('ready', '{{member}}')}
    # "When I switch "shop" to "green"": HAProxy's runtime API, set map <routes.map> live green.
    switch:
      command: ${control('switch', '{{service}}', '{{to}}')}
      undo: switch-back
    switch-back:
      command: ${control('switch', '{{service}}', 'app')}
    # "When I run the action "disable-check" with member "app-0" and check "HTTP"": the negative control.
    disable-check:
      command: ${control('nagios', 'DISABLE_SVC_CHECK;{{member}};{{check}}')}
      undo: enable-check
    enable-check:
      command: ${control('nagios', 'ENABLE_SVC_CHECK;{{member}};{{check}}')}
`;
}
