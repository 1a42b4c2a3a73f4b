// What a running example stack is (startStack's answer), apart from how it is started: the commands
// of the control socket (commands.ts) take a Stack, and stack.ts runs them, so the shape lives here.
import type { ServerState } from './haproxy.ts';
import type { ModelYamlOptions, VigilYamlOptions } from './model-yaml.ts';
import type { StatusEntry } from './nagios.ts';

export interface StackOptions {
  /** Demo-app instances behind the load balancer's backend `app` (app-0 …), default 3. */
  members?: number;
  /** Instances of a standby backend `green` (green-0 …) for a blue/green switch, default 0. */
  green?: number;
  /** Where config, data and sockets go; default a new temp dir, removed by stop(). A given dir is kept. */
  dir?: string;
  /** Seconds between Nagios' scheduled checks, default 5. */
  checkInterval?: number;
  /** Passive-only Nagios services on a host `vigil`, for results Vigil sends (e.g. a scheduled scenario's). */
  passive?: string[];
}

export interface StackMember {
  name: string;
  url: string;
  port: number;
  /** The HAProxy backend it serves in: `app` or `green`. */
  backend: string;
  /** The current process (it changes on restart); -1 while killed. */
  readonly pid: number;
}

export interface Stack {
  dir: string;
  /** The demo app's admin token (DEMO_ADMIN_TOKEN for Vigil's tenant provisioner). */
  adminToken: string;
  lbUrl: string;
  members: StackMember[];
  green: StackMember[];
  nagios: { statusFile: string; commandFile: string; objectCache: string; log: string; status(): Promise<StatusEntry[]> };
  prometheusUrl: string;
  /** The control socket: `node demo/stack/control.ts <dir> kill app-0` (commands.ts) from any process. */
  control: string;
  haproxy: {
    socket: string;
    /** The map naming the live backend: `runtime(\`set map ${routesMap} live green\`)` switches. */
    routesMap: string;
    /** HAProxy's stats frontend: /metrics (Prometheus exporter), /stats (HTML). */
    statsUrl: string;
    runtime(command: string): Promise<string>;
    servers(): Promise<ServerState[]>;
  };
  /** The process groups of every process the stack runs now (each child leads its own). */
  processGroups(): number[];
  modelYaml(opts?: ModelYamlOptions): string;
  vigilYaml(opts?: VigilYamlOptions): string;
  /** Writes vigilYaml() to `<dir>/vigil.yaml` (or `file`) and returns the path. */
  writeVigilYaml(opts?: VigilYamlOptions & { file?: string }): Promise<string>;
  /** SIGKILL a member's process group: the machine is gone, as with `virsh destroy`. */
  kill(member: string): Promise<void>;
  /** Starts a member again on its port (stopping it first if it still runs). */
  restart(member: string): Promise<void>;
  stop(): Promise<void>;
}
