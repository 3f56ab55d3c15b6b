/**
 * Summaries of a study's records as plain rows: groups (what the study varies), per-group statistics of the four
 * multiplicities, and the network-size comparison with the medians the paper's figure shows.
 */
import { StudyRecord, pyFloatRepr, settingsKey } from "../analysis";
import { InputError } from "../errors";
import { ModelCounts, modelCounts } from "./records";
import type { GroupKey } from "./studies";

export const GROUP_KEYS: readonly GroupKey[] = ["size", "n_gates", "gate", "noise", "skewed", "loss_target", "settings", "none"];

/** A record's group label and its sort value under a grouping. */
export function recordGroup(r: StudyRecord, by: GroupKey): { label: string; order: number | string } {
  switch (by) {
    case "size": return { label: `k=${r.sizes}`, order: r.sizes };
    case "n_gates": return { label: `${r.n_gates} gate${r.n_gates === 1 ? "" : "s"}`, order: r.n_gates };
    case "gate": return { label: r.gates, order: r.gates };
    case "noise": return { label: r.noise_std === 0 ? "clean" : `noise ${r.noise_std}`, order: r.noise_std };
    case "skewed": return { label: r.weights ? "skewed" : "uniform", order: r.weights ? 1 : 0 };
    case "loss_target": return { label: pyFloatRepr(r.loss_target), order: -r.loss_target };
    case "settings": {
      const key = settingsKey(r.settings);
      return { label: key, order: key === "default" ? "" : key };
    }
    case "none": return { label: r.study, order: r.study };
    default: throw new Error(`Unknown grouping "${by}": use one of ${GROUP_KEYS.join(", ")}.`);
  }
}

export interface RecordGroup {
  label: string;
  records: StudyRecord[];
  /** Counts of the accepted models. */
  counts: ModelCounts[];
}

/** Records split by a grouping, groups in their natural order (k ascending, loss target descending, ...). */
export function groupRecords(records: readonly StudyRecord[], by: GroupKey): RecordGroup[] {
  if (!Array.isArray(records)) throw new Error(`records must be an array of study records (runStudy(...).records or readRecords(dir)), got ${records === null ? "null" : typeof records}.`);
  if (!GROUP_KEYS.includes(by)) throw new Error(`Unknown grouping "${by}": use one of ${GROUP_KEYS.join(", ")}.`);
  const groups = new Map<string, { order: number | string; records: StudyRecord[] }>();
  for (const r of records) {
    const g = recordGroup(r, by);
    if (!groups.has(g.label)) groups.set(g.label, { order: g.order, records: [] });
    groups.get(g.label)!.records.push(r);
  }
  return [...groups.entries()]
    .sort((a, b) => (a[1].order < b[1].order ? -1 : a[1].order > b[1].order ? 1 : 0))
    .map(([label, g]) => ({ label, records: g.records, counts: g.records.map(modelCounts).filter((c): c is ModelCounts => c !== null) }));
}

/** Median (mean of the two middle values for even sizes); null on no data. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Quantile q of the values, linear interpolation between order statistics (numpy's default); null on no data. */
export function quantile(xs: readonly number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return lo + 1 < s.length ? s[lo] + (pos - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

/** What a box of the figures draws: min, quartiles (median = `median`, the summary table's), max. */
export interface BoxStats {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

export function boxStats(xs: readonly number[]): BoxStats | null {
  if (xs.length === 0) return null;
  return { n: xs.length, min: Math.min(...xs), q1: quantile(xs, 0.25)!, median: median(xs)!, q3: quantile(xs, 0.75)!, max: Math.max(...xs) };
}

export type CountName = "circuits" | "interpretations" | "distinctInterpretations" | "algorithms" | "mappings";
export const COUNT_NAMES: readonly CountName[] = ["circuits", "interpretations", "distinctInterpretations", "algorithms", "mappings"];
export const COUNT_LABELS: Record<CountName, string> = {
  circuits: "perfect circuits",
  interpretations: "interpretations",
  distinctInterpretations: "distinct interpretations",
  algorithms: "aligned algorithms",
  mappings: "minimal mappings",
};

export function countValues(counts: readonly ModelCounts[], name: CountName): number[] {
  return counts.map((c) => c[name]).filter((v): v is number => v !== null);
}

/** A type alias (not an interface) so that rows pass as records to showTable. */
export type SummaryRow = {
  group: string;
  models: number;
  accepted: number;
  /** Accepted models without any perfect circuit (a log-scale plot cannot show them). */
  no_circuit: number;
  circuits_median: number | null;
  circuits_mean: number | null;
  interpretations_median: number | null;
  interpretations_mean: number | null;
  /** null when the records hold no distinct counts. */
  distinct_interpretations_median: number | null;
  distinct_interpretations_mean: number | null;
  algorithms_median: number | null;
  mappings_median: number | null;
  mappings_mean: number | null;
  /** Median wall-clock seconds per model. */
  seconds_median: number | null;
};

/**
 * One row per group: the multiplicities' medians and means over the accepted models, zero counts included (the
 * figures' boxes draw the same medians, see boxStats).
 */
export function summarizeRecords(records: readonly StudyRecord[], by: GroupKey): SummaryRow[] {
  return groupRecords(records, by).map((g) => {
    const v = (n: CountName) => countValues(g.counts, n);
    return {
      group: g.label,
      models: g.records.length,
      accepted: g.counts.length,
      no_circuit: g.counts.filter((c) => c.circuits === 0).length,
      circuits_median: median(v("circuits")),
      circuits_mean: mean(v("circuits")),
      interpretations_median: median(v("interpretations")),
      interpretations_mean: mean(v("interpretations")),
      distinct_interpretations_median: median(v("distinctInterpretations")),
      distinct_interpretations_mean: mean(v("distinctInterpretations")),
      algorithms_median: median(v("algorithms")),
      mappings_median: median(v("mappings")),
      mappings_mean: mean(v("mappings")),
      seconds_median: median(g.records.map((r) => (r.timings_ms.total ?? 0) / 1000)),
    };
  });
}

/**
 * The network-size figure of the paper (blog `network_size.png`, SPEC 12): medians per model read off the plot,
 * approximate (log scale).
 */
export const PAPER_NETWORK_SIZE_MEDIANS: Record<number, { mappings: number; interpretations: number }> = {
  2: { mappings: 8, interpretations: 35 },
  3: { mappings: 30, interpretations: 7000 },
  4: { mappings: 400, interpretations: 2e5 },
  5: { mappings: 3500, interpretations: 1e6 },
};

/** A type alias (not an interface) so that rows pass as records to showTable. */
export type NetworkSizeComparisonRow = {
  k: number;
  /** "valid mappings": minimal or not, compared with the same paper medians (the figure's count may be this one). */
  measure: "mappings" | "valid mappings" | "interpretations";
  paper_median: number;
  /** Median over the accepted models with a non-zero count: what a log-scale box plot (the paper's figure) shows. */
  our_median: number | null;
  /** Median over all accepted models, zeros included. */
  our_median_with_zeros: number | null;
  our_models: number;
  /** Accepted models with a zero count (invisible on a log scale). */
  zeros: number;
  /** our_median / paper_median. */
  ratio: number | null;
  verdict: string;
};

/**
 * Ours against the paper's medians, k = 2..5. The paper's plot has a log axis, which cannot show zero counts, so
 * the comparison uses our median over the non-zero counts (the median with zeros is listed too). "agrees" within a
 * factor 3 (the paper's medians are read off a log plot). Mappings are compared twice: the minimal ones (what main.py
 * records) and all valid ones, minimal or not (which the paper's figure matches far better, README).
 */
export function networkSizeComparison(records: readonly StudyRecord[]): NetworkSizeComparisonRow[] {
  if (!Array.isArray(records)) throw new Error(`networkSizeComparison: records must be an array of study records, got ${records === null ? "null" : typeof records}.`);
  const rows: NetworkSizeComparisonRow[] = [];
  for (const k of [2, 3, 4, 5]) {
    const counts = records.filter((r) => r.sizes === k).map(modelCounts).filter((c): c is ModelCounts => c !== null);
    for (const measure of ["mappings", "valid mappings", "interpretations"] as const) {
      const paper = PAPER_NETWORK_SIZE_MEDIANS[k][measure === "interpretations" ? "interpretations" : "mappings"];
      const all = measure === "valid mappings" ? counts.map((c) => c.validMappings).filter((v): v is number => v !== null) : countValues(counts, measure);
      const ours = median(all.filter((v) => v > 0));
      const ratio = ours === null ? null : ours / paper;
      let verdict: string;
      if (all.length === 0) verdict = counts.length ? "not recorded" : "no accepted model";
      else if (ratio === null) verdict = "ours all 0";
      else if (ratio >= 1 / 3 && ratio <= 3) verdict = "agrees (within 3×)";
      else verdict = `ours ${ratio > 1 ? "higher" : "lower"} by ${Number((ratio > 1 ? ratio : 1 / ratio).toPrecision(2))}×`;
      rows.push({
        k, measure, paper_median: paper, our_median: ours, our_median_with_zeros: median(all), our_models: all.length,
        zeros: all.filter((v) => v === 0).length, ratio: ratio === null ? null : Number(ratio.toPrecision(3)), verdict,
      });
    }
  }
  return rows;
}

/** A number as the notebooks print it: whole numbers below a million in full, larger ones as 2.2e+10, others to 3 digits. */
export function formatCount(v: number | null): string {
  if (v === null) return "none";
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  if (Math.abs(v) >= 1e6) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** A type alias (not an interface) so that rows pass as records to showTable. */
export type SpreadRow = {
  group: string;
  count: string;
  /** Accepted models (the values' number). */
  models: number;
  /** Models whose count is zero (a log-scale box cannot show them). */
  zeros: number;
  min: number | null;
  q1: number | null;
  median: number | null;
  q3: number | null;
  max: number | null;
};

/**
 * The spread of the counts over the accepted models, one row per group and count: what a box plot draws (min,
 * quartiles, max; zeros included) and how many models sit at zero. A median alone hides how much seeds disagree.
 */
export function spreadTable(records: readonly StudyRecord[], by: GroupKey, counts: readonly CountName[] = ["circuits", "interpretations", "algorithms", "mappings"]): SpreadRow[] {
  const bad = counts.find((c) => !COUNT_NAMES.includes(c));
  if (bad !== undefined) throw new InputError(`spreadTable: unknown count "${bad}"; use some of ${COUNT_NAMES.join(", ")}.`);
  const rows: SpreadRow[] = [];
  for (const g of groupRecords(records, by))
    for (const name of counts) {
      const values = countValues(g.counts, name);
      const b = boxStats(values);
      rows.push({
        group: g.label, count: COUNT_LABELS[name], models: values.length, zeros: values.filter((v) => v === 0).length,
        min: b && b.min, q1: b && b.q1, median: b && b.median, q3: b && b.q3, max: b && b.max,
      });
    }
  return rows;
}

/**
 * One sentence per group on one count, e.g. "k=2: perfect circuits median 3 (middle half 1 to 5, range 0 to 12),
 * 4 of 55 accepted models at zero." The notebooks print these instead of quoting numbers in their prose.
 */
export function describeSpread(records: readonly StudyRecord[], by: GroupKey, count: CountName): string[] {
  return spreadTable(records, by, [count]).map((r) => {
    if (r.models === 0) return `${r.group}: no accepted model with a ${r.count} count.`;
    const f = formatCount;
    return `${r.group}: ${r.count} median ${f(r.median)} (middle half ${f(r.q1)} to ${f(r.q3)}, range ${f(r.min)} to ${f(r.max)}), ${r.zeros} of ${r.models} accepted models at zero.`;
  });
}

/**
 * One sentence per group on identifiability: how many accepted models admit more than one explanation of each kind,
 * and how many have a single circuit with a single interpretation (what identifiability would require).
 */
export function describeIdentifiability(records: readonly StudyRecord[], by: GroupKey): string[] {
  return groupRecords(records, by).map((g) => {
    const c = g.counts;
    const n = (pred: (x: ModelCounts) => boolean) => c.filter(pred).length;
    const aligned = c.filter((x) => x.algorithms !== null);
    const alignment = aligned.length
      ? ` ${n((x) => (x.algorithms ?? 0) > 0)} with an aligned algorithm (${n((x) => (x.algorithms ?? 0) > 1)} with more than one);`
      : " alignment not run;";
    // Over maxCandidates the circuits were counted, not listed: accepted, but their interpretations are unknown (null).
    const unknown = n((x) => x.interpretations === null);
    const countedOnly = unknown ? ` (${unknown} counted, not listed: interpretations not computed)` : "";
    return (
      `${g.label}: ${c.length} of ${g.records.length} networks accepted; ${n((x) => x.circuits > 1)} with more than one perfect circuit, ` +
      `${n((x) => (x.interpretations ?? 0) > 1)} with more than one interpretation${countedOnly},${alignment} ` +
      `${n((x) => x.circuits === 1 && x.interpretations === 1)} with a single circuit and a single interpretation.`
    );
  });
}
