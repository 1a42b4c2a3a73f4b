// What the sources were read into, once per poll; the evaluation is pure over it (tests build one by hand).
import type { Icinga2Read } from './sources/icinga2-read.ts';
import type { NagiosRead } from './sources/nagios-status.ts';
import type { PrometheusRead } from './sources/prometheus-read.ts';
import type { VigilRead } from './sources/vigil-runs.ts';

/** The moment a question is about: only results taken after it count (docs/model.md, "Evidence newer than the question"). */
export interface Since {
  atMs: number;
  /** In words, for the reason's detail: "the action ended", "the gate started", "--since". */
  what: string;
}

export interface Snapshot {
  /** The instant freshness is judged at, epoch ms. */
  nowMs: number;
  /** Results taken before this are `predates`, neither green nor red. */
  since?: Since;
  nagios?: NagiosRead;
  icinga2?: Icinga2Read;
  prometheus?: PrometheusRead;
  vigil?: VigilRead;
  /** Check id → when a re-check was forced (epoch ms), to say so in the result. */
  rechecks?: ReadonlyMap<string, number>;
}
