// `vigil model show [NODE]` and `vigil model check NODE --expect all-green|all-red` (docs/model.md).
// check polls until the expectation holds or the deadline passes: exit 0 holds, 2 does not hold by the
// deadline, 3 when Vigil could not ask (bad model, unknown node, a source it cannot read).
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  allGreen,
  allRed,
  checksInScope,
  createTextReader,
  evaluateModel,
  findNode,
  forceNagiosRechecks,
  loadModel,
  renderAnswer,
  renderTree,
  takeSnapshot,
  type EvaluatedNode,
  type LoadedModel,
  type QueryAnswer,
  type RunLookup,
} from '../../model/index.ts';
import { parseDuration } from '../../shared/duration.ts';
import { ConfigError, VigilError } from '../../shared/errors.ts';
import { openStore } from '../../store/open-store.ts';
import type { Store } from '../../store/types.ts';

const HOLDS = 0;
const NOT_BY_DEADLINE = 2;
const UNKNOWN = 3;

export interface ModelShowOptions {
  config?: string;
  transitive?: boolean;
  json?: boolean;
}

export interface ModelCheckOptions extends ModelShowOptions {
  expect: string;
  within?: string;
  interval?: string;
  recheck?: boolean;
}

/** The store is opened only when a `vigil` check asks for it, and never created by a read. */
function storeOpener(loaded: LoadedModel) {
  let store: Store | undefined;
  return {
    runs: (): RunLookup => {
      if (!store) {
        if (loaded.storePath !== ':memory:' && !existsSync(loaded.storePath)) throw new Error(`store ${loaded.storePath} does not exist (no run recorded yet?)`);
        store = openStore(loaded.storePath);
      }
      return store.runs;
    },
    close: () => store?.close(),
  };
}

// One reader for the whole command: polling re-reads status.dat into the same buffer.
const reader = createTextReader();

async function evaluateOnce(loaded: LoadedModel, runs: () => RunLookup, rechecks?: ReadonlyMap<string, number>) {
  const snapshot = await takeSnapshot(loaded.model, { runs, rechecks, reader });
  return { snapshot, roots: evaluateModel(loaded.model, snapshot) };
}

export async function modelShowCommand(ref: string | undefined, opts: ModelShowOptions): Promise<number> {
  const loaded = await loadModel({ config: opts.config });
  const store = storeOpener(loaded);
  try {
    const { snapshot, roots } = await evaluateOnce(loaded, store.runs);
    const nodes = ref ? [findNode(roots, ref)] : roots;
    const transitive = Boolean(opts.transitive);
    const answers = nodes.map((n) => ({ allGreen: allGreen(n, transitive), allRed: allRed(n, transitive) }));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ at: new Date(snapshot.nowMs).toISOString(), transitive, nodes: nodes.map((n, i) => ({ ...n, ...answers[i] })) }, null, 2)}\n`);
      return 0;
    }
    const lines: string[] = [];
    nodes.forEach((node, i) => {
      if (i) lines.push('');
      lines.push(...renderTree(node, { transitive, nowMs: snapshot.nowMs }));
      const scope = transitive ? 'transitively' : 'non-transitively';
      lines.push(`all green ${scope}: ${answers[i].allGreen.holds ? 'yes' : 'no'} · all red ${scope}: ${answers[i].allRed.holds ? 'yes' : 'no'}`);
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    store.close();
  }
}

const EXPECTATIONS = ['all-green', 'all-red'] as const;

function durationOption(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new ConfigError(`${JSON.stringify(text)} is not a duration longer than 0 (e.g. 90s, 5m)`, { where: flag });
  return ms;
}

const unreachableIn = (node: EvaluatedNode, transitive: boolean) => checksInScope(node, transitive).filter((c) => c.reason === 'unreachable');

export async function modelCheckCommand(ref: string, opts: ModelCheckOptions): Promise<number> {
  const expect = opts.expect as (typeof EXPECTATIONS)[number];
  if (!EXPECTATIONS.includes(expect)) throw new ConfigError(`must be ${EXPECTATIONS.join(' or ')}, got ${JSON.stringify(opts.expect)}`, { where: '--expect' });
  const withinMs = durationOption(opts.within ?? '5m', '--within');
  const intervalMs = durationOption(opts.interval ?? '5s', '--interval');
  const transitive = Boolean(opts.transitive);
  const loaded = await loadModel({ config: opts.config });
  const commandFile = loaded.model.sources.nagios?.commandFile;
  if (opts.recheck && !commandFile) {
    throw new ConfigError('--recheck needs model.sources.nagios.commandFile (nagios.cfg command_file) to ask Nagios to re-check');
  }
  const query = expect === 'all-green' ? allGreen : allRed;
  const store = storeOpener(loaded);
  const started = Date.now();
  const deadline = started + withinMs;
  const rechecks = new Map<string, number>();
  let answer: QueryAnswer;
  let node: EvaluatedNode;
  let polls = 0;
  let lastBlockers = -1;
  try {
    for (;;) {
      const { roots } = await evaluateOnce(loaded, store.runs, rechecks);
      polls++;
      node = findNode(roots, ref);
      answer = query(node, transitive);
      const unreachable = unreachableIn(node, transitive);
      if (answer.holds) break;
      if (polls === 1 && unreachable.length) {
        // A source that cannot be read on the first look is a setup problem, not something to wait out.
        throw new VigilError(`cannot ask the monitoring: ${unreachable[0].id}: ${unreachable[0].detail ?? 'unreachable'}`, { where: 'model check' });
      }
      if (polls === 1 && opts.recheck && commandFile) {
        const targets = checksInScope(node, transitive).filter((c) => c.nagios && c.reason !== 'missing');
        const at = Date.now();
        await forceNagiosRechecks(commandFile, targets.map((c) => c.nagios!), at);
        for (const c of targets) rechecks.set(c.id, at);
        process.stderr.write(`vigil model check: forced a re-check of ${targets.length} Nagios check${targets.length === 1 ? '' : 's'}\n`);
      }
      if (answer.blockers.length !== lastBlockers) {
        process.stderr.write(`vigil model check: ${node.path} not ${expect} yet (${answer.blockers.length} in the way); polling every ${intervalMs / 1000}s until ${new Date(deadline).toISOString()}\n`);
        lastBlockers = answer.blockers.length;
      }
      if (Date.now() + intervalMs > deadline) break;
      await sleep(intervalMs);
    }
  } finally {
    store.close();
  }
  const elapsedMs = Date.now() - started;
  const unreachable = answer.holds ? [] : unreachableIn(node, transitive);
  const code = answer.holds ? HOLDS : unreachable.length ? UNKNOWN : NOT_BY_DEADLINE;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ exitCode: code, elapsedMs, polls, rechecksForced: rechecks.size, ...answer, tree: node }, null, 2)}\n`);
  } else {
    const when = answer.holds ? `after ${(elapsedMs / 1000).toFixed(1)}s` : `by the deadline (${(withinMs / 1000).toFixed(0)}s)`;
    const lines = renderAnswer(answer);
    lines[0] = `${lines[0].replace(/; in the way:$/, '')} ${when}${answer.holds ? '' : '; in the way:'}`;
    if (rechecks.size) lines.push(`(a re-check was forced for ${rechecks.size} Nagios check${rechecks.size === 1 ? '' : 's'})`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return code;
}
