/**
 * The discovery methods over a study's models. Records without weights (the cached studies are compact) are
 * rebuilt by retraining the job from the study's grid and the record's key (deterministic: same seed, same
 * weights; the rebuild is checked against the record's epochs and loss, and the truth against its perfect-circuit
 * count). For each accepted model: the exhaustive truth once, then every setting of the sweep and its verdict, as
 * one `DiscoveryRecord` per model (a JSON line, appended and resumable). `summarizeDiscovery` gives the study table.
 */
import * as fs from "node:fs";
import { parseJsonLines } from "../jsonl";
import { StudyRecord } from "../analysis";
import { MLP, splitOutputs } from "../model";
import { Dataset } from "../tasks";
import { StudyGrid, mean, rebuildStudyModel } from "../experiments";
import { MnistStudyRecord, loadMnist, splitMLP, tailDataset, trainMnistSync } from "../mnist";
import { ABLATIONS, Ablation } from "./ablation";
import { DiscoverySetting, resolveSetting, runDiscovery } from "./methods";
import { DISCOVERY_METRICS, discoveryTask } from "./metrics";
import { CircuitTruth, CircuitVerdict, circuitVerdict, exhaustiveTruth } from "./verdict";

/** The study sweep: each method's knob swept at zero ablation, then the other ablations, metrics, seeds, kinds. */
export const DISCOVERY_SWEEP: DiscoverySetting[] = [
  ...[0.001, 0.01, 0.03, 0.1].map((tau): DiscoverySetting => ({ method: "acdc", tau })),
  { method: "acdc", tau: 0.01, ablation: "mean" },
  { method: "acdc", tau: 0.01, ablation: "resample" },
  { method: "acdc", tau: 0.1, metric: "accuracy" },
  ...[6, 8, 10, 12].map((topK): DiscoverySetting => ({ method: "eap", topK })),
  { method: "eap", topK: 8, ablation: "mean" },
  { method: "eap", topK: 8, ablation: "resample" },
  { method: "eap", topK: 8, metric: "mse" },
  ...[6, 8, 10, 12].map((topK): DiscoverySetting => ({ method: "eap-ig", topK, steps: 5 })),
  { method: "eap-ig", topK: 8, steps: 5, ablation: "mean" },
  { method: "eap-ig", topK: 8, steps: 5, ablation: "resample" },
  ...[0.1, 0.3, 1, 3].map((lambda): DiscoverySetting => ({ method: "masks", maskKind: "edges", lambda })),
  { method: "masks", maskKind: "edges", lambda: 1, ablation: "mean" },
  { method: "masks", maskKind: "edges", lambda: 1, ablation: "resample" },
  { method: "masks", maskKind: "edges", lambda: 1, seed: 1 },
  ...[0.3, 1, 3].map((lambda): DiscoverySetting => ({ method: "masks", maskKind: "nodes", lambda })),
];

/** One setting's answer on one model and its verdict. */
export interface DiscoveryOutcome extends CircuitVerdict {
  label: string;
  method: string;
  ablation: string;
  metric: string;
  ms: number;
}

/** Every setting on one model (one output), against its exhaustive truth. */
export function discoverModel(model: MLP, truth: CircuitTruth, settings: readonly DiscoverySetting[]): DiscoveryOutcome[] {
  const task = discoveryTask(model, truth.val);
  const ablations = new Map<string, Ablation>();
  return settings.map((s) => {
    const r = resolveSetting(s);
    const res = runDiscovery(model, truth.graph, task, s, ablations);
    return { label: res.label, method: r.method, ablation: r.ablation, metric: r.metric, ms: res.ms, ...circuitVerdict(model, truth, res.circuit, res.scores) };
  });
}

/** One model's line of a discovery study. */
export interface DiscoveryRecord {
  study: string;
  key: string;
  job: number;
  size: number;
  seed_offset: number;
  n_candidates: number;
  n_perfect: number;
  timings_ms: { train: number; truth: number; methods: number };
  results: DiscoveryOutcome[];
}

/**
 * The tail of an MNIST study record's network (notebook 14's study): the digits of the record's seed, the network
 * retrained (checked against the record's loss curve), split where the record says; the tail's data are the head's
 * activations on the held-out digits, as in tailCircuits.
 */
export function rebuildMnistTail(record: MnistStudyRecord): { model: MLP; val: Dataset; ms: number } {
  const t0 = performance.now();
  const data = loadMnist({ seed: record.seed });
  const r = trainMnistSync({ data, seed: record.seed + record.seed_offset, lr: record.learning_rate, epochs: record.mnist.losses.length });
  if (r.losses.some((v, i) => Math.abs(v - record.mnist.losses[i]) > 1e-9))
    throw new Error(`discovery study: retraining MNIST ${record.key} gave losses ${r.losses.join(", ")}; the record says ${record.mnist.losses.join(", ")}.`);
  const split = splitMLP(r.model, record.mnist.split_at);
  return { model: split.tail, val: tailDataset(split, data.test), ms: performance.now() - t0 };
}

export interface DiscoveryStudyOptions {
  records: readonly StudyRecord[];
  /** JSON Lines file the records are appended to; records already there (same study and key) are skipped. */
  out?: string;
  settings?: readonly DiscoverySetting[];
  grid?: StudyGrid;
  /** Only these hidden widths. */
  sizes?: readonly number[];
  /** Refuse models with more candidate circuits than this (default 5 000 000, findCircuits' budget). */
  maxCandidates?: number;
  onRecord?: (r: DiscoveryRecord, done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * The stored form of a record (one JSON line): each outcome as an array in `OUTCOME_COLUMNS` order, numbers rounded
 * (faithfulness, accuracy, AUROC to 4 decimals, times to 0.1 ms), the method, ablation and metric read back from the
 * label, the best perfect circuit's faithfulness once per model. A tenth of the plain form's size.
 */
export const OUTCOME_COLUMNS = ["label", "edges", "hiddenNodes", "candidate", "sufficient", "accuracy", "perfectIndex", "index", "minimal", "faithfulness", "bestFaithfulnessAtSize", "auroc", "ms"] as const;

const round = (v: number | null, d: number) => (v === null ? null : Math.round(v * 10 ** d) / 10 ** d);

export function compactDiscoveryRecord(r: DiscoveryRecord): Record<string, unknown> {
  const { results, ...rest } = r;
  return {
    ...rest,
    timings_ms: { train: round(r.timings_ms.train, 1), truth: round(r.timings_ms.truth, 1), methods: round(r.timings_ms.methods, 1) },
    best_faithfulness: round(results[0]?.bestFaithfulness ?? null, 4),
    outcomes: results.map((o) => [o.label, o.edges, o.hiddenNodes, +o.candidate, +o.sufficient, round(o.accuracy, 4), o.perfectIndex, o.index, +o.minimal, round(o.faithfulness, 4), round(o.bestFaithfulnessAtSize, 4), round(o.auroc, 4), round(o.ms, 1)]),
  };
}

/** Method, ablation and metric of a setting label (settingLabel writes the ablation and metric when not the defaults). */
export function parseSettingLabel(label: string): { method: string; ablation: string; metric: string } {
  const words = label.split(" ");
  const method = words[0];
  const ablation = words.find((w) => (ABLATIONS as readonly string[]).includes(w)) ?? "zero";
  const metric = words.find((w) => (DISCOVERY_METRICS as readonly string[]).includes(w)) ?? (method === "eap" || method === "eap-ig" ? "logit-diff" : "output-mse");
  return { method, ablation, metric };
}

export function expandDiscoveryRecord(line: Record<string, unknown>): DiscoveryRecord {
  const { outcomes, best_faithfulness, ...rest } = line as { outcomes: unknown[][]; best_faithfulness: number | null } & Omit<DiscoveryRecord, "results">;
  return {
    ...rest,
    results: outcomes.map((a) => {
      const o = Object.fromEntries(OUTCOME_COLUMNS.map((c, i) => [c, a[i]])) as Record<string, unknown>;
      return {
        ...parseSettingLabel(o.label as string),
        ...o,
        candidate: o.candidate === 1,
        sufficient: o.sufficient === 1,
        minimal: o.minimal === 1,
        perfect: o.perfectIndex !== null,
        bestFaithfulness: best_faithfulness,
      } as DiscoveryOutcome;
    }),
  };
}

/** Reads a discovery JSONL (a torn last line is dropped). */
export function readDiscoveryRecords(file: string): DiscoveryRecord[] {
  if (!fs.existsSync(file)) return [];
  return parseJsonLines(fs.readFileSync(file, "utf8"), file, (v) => expandDiscoveryRecord(v as Record<string, unknown>));
}

/** Runs the sweep over the accepted models of `records`, appending one line per model to `out`. */
export async function runDiscoveryStudy(opts: DiscoveryStudyOptions): Promise<DiscoveryRecord[]> {
  const settings = opts.settings ?? DISCOVERY_SWEEP;
  settings.forEach(resolveSetting);
  const todo = opts.records.filter((r) => r.accepted && (!opts.sizes || opts.sizes.includes(r.sizes)));
  const done = opts.out ? readDiscoveryRecords(opts.out) : [];
  const doneKeys = new Set(done.map((d) => `${d.study}|${d.key}`));
  if (opts.out && done.length) {
    // Drop a torn last line before appending.
    fs.writeFileSync(opts.out, done.map((d) => JSON.stringify(compactDiscoveryRecord(d)) + "\n").join(""));
  }
  const out = [...done];
  for (const record of todo) {
    if (opts.signal?.aborted) break;
    if (doneKeys.has(`${record.study}|${record.key}`)) continue;
    const { model, val, ms: trainMs } = "mnist" in record ? rebuildMnistTail(record as MnistStudyRecord) : rebuildStudyModel(record, opts.grid);
    const sub = splitOutputs(model)[0];
    const subVal: Dataset = { ...val, y: val.y.filter((_, k) => k % val.nOutputs === 0), nOutputs: 1 };
    const truth = exhaustiveTruth(sub, subVal, { accuracyThreshold: record.settings?.accuracyThreshold ?? 0.99, maxCandidates: opts.maxCandidates });
    if (record.perfect_circuits && record.perfect_circuits[0] !== truth.perfect.length)
      throw new Error(`discovery study: ${record.key}: ${truth.perfect.length} perfect circuits, the record says ${record.perfect_circuits[0]}.`);
    const t0 = performance.now();
    const results = discoverModel(sub, truth, settings);
    const rec: DiscoveryRecord = {
      study: record.study,
      key: record.key,
      job: record.job,
      size: record.sizes,
      seed_offset: record.seed_offset,
      n_candidates: truth.nCandidates,
      n_perfect: truth.perfect.length,
      timings_ms: { train: trainMs, truth: truth.ms, methods: performance.now() - t0 },
      results,
    };
    if (opts.out) fs.appendFileSync(opts.out, JSON.stringify(compactDiscoveryRecord(rec)) + "\n");
    out.push(expandDiscoveryRecord(compactDiscoveryRecord(rec)));
    opts.onRecord?.(rec, out.length, todo.length);
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

/** One row of the study table: a method setting on the models of one width (or all). */
export interface DiscoverySummaryRow {
  size: number | "all";
  label: string;
  method: string;
  /** Models with at least one perfect circuit. */
  models: number;
  /** Share of models whose answer is an enumerated candidate (the enumeration's shape and node filter). */
  candidate: number;
  perfect: number;
  minimal: number;
  sufficient: number;
  meanAuroc: number | null;
  /** Mean faithfulness of the answer minus the best perfect circuit's. */
  meanFaithfulnessGap: number | null;
  meanMs: number;
}

/** Per method: mean number of distinct perfect circuits its settings pick on one model, and the share of models with ≥ 2. */
export interface DiscoveryChoiceRow {
  size: number | "all";
  method: string;
  models: number;
  meanDistinctPerfect: number;
  atLeastTwo: number;
}

/** The study table over models with at least one perfect circuit, per width and overall. */
export function summarizeDiscovery(records: readonly DiscoveryRecord[]): { rows: DiscoverySummaryRow[]; choices: DiscoveryChoiceRow[] } {
  const withTruth = records.filter((r) => r.n_perfect > 0);
  const sizes = [...new Set(withTruth.map((r) => r.size))].sort((a, b) => a - b);
  const rows: DiscoverySummaryRow[] = [];
  const choices: DiscoveryChoiceRow[] = [];
  for (const size of [...sizes, "all" as const]) {
    const rs = withTruth.filter((r) => size === "all" || r.size === size);
    if (!rs.length) continue;
    const labels = [...new Set(rs.flatMap((r) => r.results.map((o) => o.label)))];
    for (const label of labels) {
      const os = rs.map((r) => r.results.find((o) => o.label === label)).filter((o): o is DiscoveryOutcome => !!o);
      const frac = (f: (o: DiscoveryOutcome) => boolean) => os.filter(f).length / os.length;
      rows.push({
        size,
        label,
        method: os[0].method,
        models: os.length,
        candidate: frac((o) => o.candidate),
        perfect: frac((o) => o.perfect),
        minimal: frac((o) => o.minimal),
        sufficient: frac((o) => o.sufficient),
        meanAuroc: mean(os.filter((o) => o.auroc !== null).map((o) => o.auroc!)),
        meanFaithfulnessGap: mean(os.filter((o) => o.bestFaithfulness !== null).map((o) => o.faithfulness - o.bestFaithfulness!)),
        meanMs: mean(os.map((o) => o.ms))!,
      });
    }
    for (const method of [...new Set(rows.filter((r) => r.size === size).map((r) => r.method))]) {
      const distinct = rs.map((r) => new Set(r.results.filter((o) => o.method === method && o.perfect).map((o) => o.perfectIndex)).size);
      choices.push({ size, method, models: rs.length, meanDistinctPerfect: mean(distinct)!, atLeastTwo: distinct.filter((d) => d >= 2).length / rs.length });
    }
  }
  return { rows, choices };
}
