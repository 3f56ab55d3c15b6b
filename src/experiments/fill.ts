/**
 * Interpretations for the records whose perfect circuits were counted, not listed (`circuitsMethod` "count": over
 * --max-candidates the analysis counts the circuits exactly and leaves the interpretations null). Each such model is
 * retrained from its record (rebuildStudyModel, checked against the record), its circuits counted again and checked
 * against the record's count, and the groundings of every perfect circuit summed exactly by
 * sumCircuitInterpretations (aggregated where it applies). The record gains `interpretations_total` (a double) and
 * `interpretations_exact` (the exact integer as a decimal string); distinct interpretations stay null.
 *
 * Every record of the input is written to `out` in input order, filled or unchanged, one JSON line at a time (fsynced),
 * so an interrupted fill resumes where it stopped.
 */
import * as fs from "node:fs";
import { StudyRecord, candidateOptions, recordInterpretationTotals, settingsFromStored } from "../analysis";
import { InputError } from "../errors";
import { sumCircuitInterpretations } from "../interpretations";
import { parseJsonLines } from "../jsonl";
import { rebuildStudyModel } from "./rebuild";
import { StudyGrid } from "./studies";

export interface FillInterpretationsOptions {
  records: readonly StudyRecord[];
  /** JSON Lines file; with `resume`, the records already there are kept and the fill goes on after them. */
  out: string;
  resume?: boolean;
  /** Fill only models of these hidden widths (others are copied unchanged). */
  sizes?: readonly number[];
  /** The run's grid (run.json); default: the study's grid narrowed to each record (recordGrid). */
  grid?: StudyGrid;
  /** Per-circuit fallback budget (sumCircuitInterpretations' maxGroundedCircuits); over it the record stays null. */
  maxGroundedCircuits?: number;
  /**
   * Stop filling after this many seconds: the remaining records are copied unchanged (still null), so the output is
   * complete; filling the output again later fills the rest.
   */
  budgetSeconds?: number;
  /** Called after each record is written; `filled` is false for records copied unchanged. */
  onRecord?: (r: StudyRecord, filled: boolean, done: number, total: number, ms: number) => void;
  signal?: AbortSignal;
}

/** A record that is accepted, has perfect circuits and has no interpretation count (counted, not listed). */
export function needsInterpretations(r: StudyRecord): boolean {
  return r.accepted && r.perfect_circuits !== null && recordInterpretationTotals(r) === null;
}

/** Fills one record (a copy is returned). One-output models only: the counter and the aggregated sum are per output. */
export function fillRecordInterpretations(r: StudyRecord, grid?: StudyGrid, maxGroundedCircuits?: number): StudyRecord {
  if (r.n_gates !== 1 || r.perfect_circuits?.length !== 1)
    throw new InputError(`fill-interpretations: record ${r.key} has ${r.n_gates} outputs; only one-output models are filled (their circuits are counted per output).`);
  const { model, val, xTt, ms: trainMs } = rebuildStudyModel(r, grid);
  const s = settingsFromStored(r.settings as unknown as Record<string, unknown>);
  const t0 = performance.now();
  const summed = sumCircuitInterpretations(model, val, xTt, {
    ...candidateOptions(s, model.layerSizes),
    accuracyThreshold: s.accuracyThreshold,
    groundingMode: s.groundingMode,
    ...(maxGroundedCircuits !== undefined ? { maxGroundedCircuits } : {}),
  });
  if (summed.circuits !== r.perfect_circuits[0])
    throw new Error(`fill-interpretations: ${r.key}: ${summed.circuits} perfect circuits now, ${r.perfect_circuits[0]} in the record (different code or settings).`);
  const ms = performance.now() - t0;
  return {
    ...r,
    interpretations_total: [Number(summed.interpretations)],
    interpretations_exact: [summed.interpretations.toString()],
    timings_ms: { ...r.timings_ms, retrain: trainMs, interpretations: ms },
  };
}

export function fillCountedInterpretations(opts: FillInterpretationsOptions): { records: StudyRecord[]; filled: number; kept: number; leftNull: number } {
  const { records, out } = opts;
  const sizes = opts.sizes ? new Set(opts.sizes) : null;
  let done: StudyRecord[] = [];
  if (fs.existsSync(out) && fs.readFileSync(out, "utf8").trim()) {
    if (!opts.resume) throw new InputError(`fill-interpretations: ${out} already holds records; pass --resume to continue it, or choose another --out.`);
    done = parseJsonLines<StudyRecord>(fs.readFileSync(out, "utf8"), out);
    done.forEach((d, i) => {
      if (records[i]?.key !== d.key || records[i]?.study !== d.study)
        throw new InputError(`fill-interpretations --resume: line ${i + 1} of ${out} is ${d.study} ${d.key}, the input has ${records[i]?.study} ${records[i]?.key} there; resume with the same input.`);
    });
    fs.writeFileSync(out, done.map((d) => JSON.stringify(d) + "\n").join("")); // drops a torn last line
  }
  const result = [...done];
  let filled = done.filter((d, i) => d.interpretations_exact && !records[i].interpretations_exact).length;
  const deadline = opts.budgetSeconds === undefined ? Infinity : performance.now() + opts.budgetSeconds * 1000;
  let leftNull = 0;
  const fd = fs.openSync(out, "a");
  try {
    for (let i = done.length; i < records.length; i++) {
      if (opts.signal?.aborted) break;
      const r = records[i];
      const wanted = needsInterpretations(r) && (!sizes || sizes.has(r.sizes));
      const want = wanted && performance.now() < deadline;
      if (wanted && !want) leftNull++;
      const t0 = performance.now();
      const next = want ? fillRecordInterpretations(r, opts.grid, opts.maxGroundedCircuits) : r;
      fs.writeSync(fd, JSON.stringify(next) + "\n");
      fs.fsyncSync(fd);
      result.push(next);
      if (want) filled++;
      opts.onRecord?.(next, want, i + 1, records.length, performance.now() - t0);
    }
  } finally {
    fs.closeSync(fd);
  }
  return { records: result, filled, kept: result.length - filled, leftNull };
}
