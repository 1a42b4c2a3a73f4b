// `vigil model show [NODE]`, `vigil model check NODE --expect all-green|all-red` and `vigil model
// coverage NODE` (docs/model.md).
// check polls until the expectation holds or the deadline passes: exit 0 holds, 2 does not hold by the
// deadline, 3 when Vigil could not ask (bad model, unknown node, a source it cannot read).
import {
  allGreen,
  allRed,
  assessCoverage,
  COVERAGE_EXIT,
  renderCoverage,
  createTextReader,
  evaluateModel,
  EXPECTATIONS,
  findNode,
  loadModel,
  modelStore,
  waitForModel,
  parseSince,
  renderAnswer,
  renderTree,
  takeSnapshot,
  type Expectation,
  type LoadedModel,
  type RunLookup,
} from '../../model/index.ts';
import { createRedactor } from '../../shared/redact.ts';
import { parseDuration } from '../../shared/duration.ts';
import { ConfigError } from '../../shared/errors.ts';

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
  since?: string;
}

// One reader for the whole command: polling re-reads status.dat into the same buffer.
const reader = createTextReader();

async function evaluateOnce(loaded: LoadedModel, runs: () => Promise<RunLookup>, rechecks?: ReadonlyMap<string, number>) {
  const snapshot = await takeSnapshot(loaded.model, { runs, rechecks, reader });
  return { snapshot, roots: evaluateModel(loaded.model, snapshot) };
}

export async function modelShowCommand(ref: string | undefined, opts: ModelShowOptions): Promise<number> {
  const loaded = await loadModel({ config: opts.config });
  const store = modelStore(loaded);
  // A source's error (echoing a URL, a header) may hold what the model took from the environment.
  const redact = createRedactor(loaded.secrets);
  try {
    const evaluated = await evaluateOnce(loaded, store.runs);
    const { snapshot } = evaluated;
    const roots = redact.value(evaluated.roots);
    const nodes = ref ? [findNode(roots, ref)] : roots;
    const transitive = Boolean(opts.transitive);
    const answers = nodes.map((n) => ({ allGreen: allGreen(n, transitive), allRed: allRed(n, transitive) }));
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ at: new Date(snapshot.nowMs).toISOString(), transitive, nodes: nodes.map((n, i) => ({ ...n, ...answers[i] })) }, null, 2)}\n`,
      );
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
    await store.close();
  }
}

/** `vigil model coverage NODE`: the node's pool against its monitored members; exit 0 covered, 2 a gap, 3 cannot ask. */
export async function modelCoverageCommand(ref: string, opts: ModelShowOptions): Promise<number> {
  const loaded = await loadModel({ config: opts.config });
  const store = modelStore(loaded);
  const redact = createRedactor(loaded.secrets);
  try {
    const { snapshot, roots } = await evaluateOnce(loaded, store.runs);
    // A pool command's stderr, a source's error: either may quote what the model took from the environment.
    const [coverage] = redact.value(await assessCoverage(loaded.model, roots, ref));
    const code = COVERAGE_EXIT[coverage.answer];
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ at: new Date(snapshot.nowMs).toISOString(), exitCode: code, ...coverage }, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderCoverage(coverage).join('\n')}\n`);
    }
    return code;
  } finally {
    await store.close();
  }
}

function durationOption(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new ConfigError(`${JSON.stringify(text)} is not a duration longer than 0 (e.g. 90s, 5m)`, { where: flag });
  return ms;
}

export async function modelCheckCommand(ref: string, opts: ModelCheckOptions): Promise<number> {
  const expect = opts.expect as Expectation;
  if (!EXPECTATIONS.includes(expect)) throw new ConfigError(`must be ${EXPECTATIONS.join(' or ')}, got ${JSON.stringify(opts.expect)}`, { where: '--expect' });
  const withinMs = durationOption(opts.within ?? '5m', '--within');
  const intervalMs = durationOption(opts.interval ?? '5s', '--interval');
  const transitive = Boolean(opts.transitive);
  const since = opts.since === undefined ? undefined : { atMs: parseSince(opts.since), what: `--since ${opts.since}` };
  const { code, result } = await waitForModel({
    config: opts.config,
    node: ref,
    expect,
    transitive,
    withinMs,
    intervalMs,
    recheck: opts.recheck,
    since,
    who: 'vigil model check',
  });
  const { answer, elapsedMs, polls } = result;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ exitCode: code, elapsedMs, polls, rechecksForced: result.recheckForced, ...answer, tree: result.lastTree }, null, 2)}\n`,
    );
  } else {
    const when = answer.holds ? `after ${(elapsedMs / 1000).toFixed(1)}s` : `by the deadline (${(withinMs / 1000).toFixed(0)}s)`;
    const lines = renderAnswer(answer);
    lines[0] = `${lines[0].replace(/; in the way:$/, '')} ${when}${answer.holds ? '' : '; in the way:'}`;
    if (result.recheckForced) lines.push(`(a re-check was forced for ${result.recheckForced} check${result.recheckForced === 1 ? '' : 's'})`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return code;
}
