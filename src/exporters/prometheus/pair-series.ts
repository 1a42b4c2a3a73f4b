// The series labelled by suite × environment, rendered by Vigil instead of prom-client.
//
// Why: they are nearly all of the exposition (24 lines a pair: 24,000 lines for 1,000 pairs), and
// prom-client renders every line again on every scrape, ≈2.5 µs a line — 60 to 90 ms a scrape on the
// reference machine, against a 20 ms target (docs/metrics.md). Here each pair keeps its rendered lines
// per family, and each family its rendered text; a change to one pair renders that pair's lines in
// the families it touched, and a scrape joins cached strings. A cache of the whole exposition would
// not do: the scrape after a run sees the change, and runs happen all the time at 1,000 pairs.
//
// The text is the Prometheus text format 0.0.4, the same as prom-client's for the same series: one
// block per family (HELP, TYPE, samples), blocks separated by a blank line, labels in the order
// suite, environment, then the family's own label.

export type PairFamilyType = 'gauge' | 'counter';

export interface PairFamilySpec {
  name: string;
  help: string;
  type: PairFamilyType;
  /** A third label (status, outcome, phase) and its usual values, in the order they are listed. */
  extra?: { label: string; values: readonly string[] };
}

interface Pair {
  /** `suite="…",environment="…"`, escaped once. */
  labels: string;
  /** Per family, per value of its third label (one slot without one): undefined = no sample. */
  values: Array<Array<number | undefined>>;
  /** Per family: this pair's lines, joined; undefined = to render. */
  lines: Array<string | undefined>;
}

export class PairFamily {
  readonly spec: PairFamilySpec;
  private readonly series: PairSeries;
  private readonly index: number;
  private readonly extraValues: string[];
  private readonly escapedExtra: string[];

  constructor(series: PairSeries, index: number, spec: PairFamilySpec) {
    this.series = series;
    this.index = index;
    this.spec = spec;
    this.extraValues = [...(spec.extra?.values ?? [])];
    this.escapedExtra = this.extraValues.map(escapeLabelValue);
  }

  /** Sets the sample of `suite`/`environment` (and `extra`, the third label's value, if the family has one). */
  set(suite: string, environment: string, value: number, extra?: string): void {
    const slot = this.slot(extra);
    const pair = this.series.pair(suite, environment);
    const values = pair.values[this.index];
    if (values[slot] === value) return;
    values[slot] = value;
    this.series.changed(pair, this.index);
  }

  /** Adds `by` (default 1) to a counter; `inc(…, 0)` creates the sample at 0 so increase() sees the first run. */
  inc(suite: string, environment: string, by = 1, extra?: string): void {
    const slot = this.slot(extra);
    const pair = this.series.pair(suite, environment);
    const values = pair.values[this.index];
    const before = values[slot];
    values[slot] = (before ?? 0) + by;
    if (before !== values[slot]) this.series.changed(pair, this.index);
  }

  /** The current sample, if there is one. */
  get(suite: string, environment: string, extra?: string): number | undefined {
    const pair = this.series.find(suite, environment);
    if (!pair) return undefined;
    const slot = this.extraValues.indexOf(extra ?? '');
    return pair.values[this.index][this.spec.extra ? slot : 0];
  }

  /** The block of a family: HELP, TYPE and every pair's lines. */
  render(pairs: Iterable<Pair>): string {
    const { name, help, type } = this.spec;
    const parts = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
    for (const pair of pairs) {
      let lines = pair.lines[this.index];
      if (lines === undefined) {
        lines = this.renderPair(pair);
        pair.lines[this.index] = lines;
      }
      if (lines) parts.push(lines);
    }
    return parts.join('\n');
  }

  private renderPair(pair: Pair): string {
    const values = pair.values[this.index];
    const out: string[] = [];
    for (let slot = 0; slot < values.length; slot++) {
      const value = values[slot];
      if (value === undefined) continue;
      const labels = this.spec.extra ? `${pair.labels},${this.spec.extra.label}="${this.escapedExtra[slot]}"` : pair.labels;
      out.push(`${this.spec.name}{${labels}} ${formatValue(value)}`);
    }
    return out.join('\n');
  }

  private slot(extra: string | undefined): number {
    if (!this.spec.extra) {
      if (extra !== undefined) throw new Error(`${this.spec.name} has no third label (got "${extra}")`);
      return 0;
    }
    if (extra === undefined || extra === '') {
      throw new Error(`${this.spec.name} needs a value for its label "${this.spec.extra.label}"`);
    }
    let slot = this.extraValues.indexOf(extra);
    if (slot < 0) {
      // A value outside the usual list (a newer RunResult, say) still gets its own series, after the others.
      slot = this.extraValues.push(extra) - 1;
      this.escapedExtra.push(escapeLabelValue(extra));
    }
    return slot;
  }
}

/** The families labelled by suite × environment, with per-pair and per-family rendered text. */
export class PairSeries {
  private readonly families: PairFamily[] = [];
  private readonly pairs = new Map<string, Pair>();
  /** Per family: its rendered block; undefined = a pair changed since the last scrape. */
  private readonly blocks: Array<string | undefined> = [];
  /** All blocks, as text and as UTF-8: unchanged scrapes neither join nor encode 1.5 MB again. */
  private text: string | undefined;
  private bytes: Buffer | undefined;

  family(spec: PairFamilySpec): PairFamily {
    if (this.pairs.size > 0) throw new Error('pair families must all be declared before the first sample');
    if (this.families.some((f) => f.spec.name === spec.name)) throw new Error(`${spec.name} is declared twice`);
    const family = new PairFamily(this, this.families.length, spec);
    this.families.push(family);
    this.blocks.push(undefined);
    return family;
  }

  /** The exposition of every pair family, blocks separated by a blank line, without a final newline. */
  render(): string {
    if (this.text === undefined) {
      const blocks = this.families.map((family, i) => {
        let block = this.blocks[i];
        if (block === undefined) {
          block = family.render(this.pairs.values());
          this.blocks[i] = block;
        }
        return block;
      });
      this.text = blocks.join('\n\n');
    }
    return this.text;
  }

  /** render() as UTF-8. */
  renderBytes(): Buffer {
    this.bytes ??= Buffer.from(this.render());
    return this.bytes;
  }

  /** @internal */
  pair(suite: string, environment: string): Pair {
    const key = `${suite}\u0000${environment}`;
    let pair = this.pairs.get(key);
    if (!pair) {
      pair = {
        labels: `suite="${escapeLabelValue(suite)}",environment="${escapeLabelValue(environment)}"`,
        values: this.families.map(() => []),
        lines: this.families.map(() => ''),
      };
      this.pairs.set(key, pair);
    }
    return pair;
  }

  /** @internal */
  find(suite: string, environment: string): Pair | undefined {
    return this.pairs.get(`${suite}\u0000${environment}`);
  }

  /** @internal */
  changed(pair: Pair, family: number): void {
    pair.lines[family] = undefined;
    this.blocks[family] = undefined;
    this.text = undefined;
    this.bytes = undefined;
  }
}

// The text format's escapes: label values escape \, " and newline; HELP escapes \ and newline.
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}
