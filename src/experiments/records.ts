/**
 * One record per trained model (kept and rejected) and the function that produces it: train, then, when accepted,
 * the same analysis as `analyze` (analyzeModelFile) with the run's settings. The record's form (snake_case, the
 * reference's CSV columns first) is analysis/format.ts'; the per-model counts derived from a record are here.
 */
import { AnalysisSettings, ModelAnalysis, StudyRecord, analyzeModelFile, analysisColumns, modeColumn, recordDistinctTotals, recordInterpretationTotals, resolveSettings } from "../analysis";
import { trainExperimentSync, ExperimentConfig } from "../train";
import type { StudyGrid, StudyJob } from "./studies";

/** The ExperimentConfig of a job (the train module's contract). */
export function jobExperimentConfig(grid: StudyGrid, job: StudyJob): ExperimentConfig {
  return {
    gatePool: grid.gatePool,
    nGates: job.nGates,
    size: job.size,
    depth: job.depth,
    seed: grid.seed,
    seedOffset: job.seedOffset,
    noiseStd: grid.noiseStd,
    skewed: grid.skewed,
    nRepeats: grid.nRepeats,
    nSamplesTrain: grid.nSamplesTrain,
    nSamplesVal: grid.nSamplesVal,
    lr: job.learningRate,
    lossTarget: job.lossTarget,
    epochs: grid.epochs,
    batchSize: grid.batchSize,
    sharedDataQuirk: grid.sharedDataQuirk,
    engine: "fast",
  };
}

/** Trains one job's model and, if accepted, analyses it (analyzeModelFile with these settings). */
export function runStudyJob(studyName: string, grid: StudyGrid, job: StudyJob, settings: Partial<AnalysisSettings> = {}): StudyRecord {
  const resolved = resolveSettings(settings);
  const t0 = performance.now();
  const { data, result } = trainExperimentSync(jobExperimentConfig(grid, job));
  const timings: Record<string, number> = { train: performance.now() - t0 };
  const rec: StudyRecord = {
    gates: data.gates.join(" "),
    n_gates: data.gates.length,
    sizes: job.size,
    seed_offset: job.seedOffset,
    perfect_circuits: null,
    interpretations_per_circuit: null,
    formulas: null,
    mappings_per_formula: null,
    loss_target: job.lossTarget,
    learning_rate: job.learningRate,
    depth: job.depth,
    weights: data.skewWeights,
    study: studyName,
    job: job.index,
    key: job.key,
    seed: grid.seed,
    noise_std: grid.noiseStd,
    accepted: result.accepted,
    epochs: result.epochs,
    final_loss: result.loss,
    val_acc: result.valAcc,
    stop_reason: result.stopReason,
    candidates: null,
    valid_mappings_per_formula: null,
    mode: modeColumn(resolved),
    engine: result.engine,
    backend: result.backend ?? null,
    timings_ms: timings,
    settings: resolved,
    distinct_interpretations_per_circuit: null,
  };
  if (result.accepted) {
    const a = analyzeModelFile({ model: result.model, val: data.val, xTt: data.xTt }, resolved);
    Object.assign(rec, analysisColumns(a));
    timings.circuits = a.timingsMs.circuits;
    timings.interpretations = a.timingsMs.interpretations;
    if (resolved.alignment) timings.alignment = a.timingsMs.alignment;
  }
  timings.total = performance.now() - t0;
  return rec;
}

// ---------------------------------------------------------------- per-model counts

/** The paper's multiplicities of one model, summed over outputs; null for a rejected model. */
export interface ModelCounts {
  circuits: number;
  /** Groundings with multiplicity (the reference's count), summed over the grounded circuits; null when not computed (circuits counted, not listed). */
  interpretations: number | null;
  /** Distinct gate-label assignments summed over the grounded circuits; null when not computed. */
  distinctInterpretations: number | null;
  /** Aligned algorithms (candidate formulas with >= 1 minimal mapping); null when the alignment was skipped. */
  algorithms: number | null;
  mappings: number | null;
  /** Valid mappings, minimal or not (null when skipped, or in records written before this count existed). */
  validMappings: number | null;
}

const sum = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0);

/** The counts of a record (full or compacted). */
export function modelCounts(r: StudyRecord): ModelCounts | null {
  const interpretations = recordInterpretationTotals(r);
  if (!r.accepted || !r.perfect_circuits) return null;
  const distinct = recordDistinctTotals(r);
  return {
    circuits: sum(r.perfect_circuits),
    interpretations: interpretations ? sum(interpretations) : null,
    distinctInterpretations: distinct ? sum(distinct) : null,
    algorithms: r.formulas ? sum(r.formulas) : null,
    mappings: r.mappings_per_formula ? sum(r.mappings_per_formula.map(sum)) : null,
    validMappings: r.valid_mappings_per_formula ? sum(r.valid_mappings_per_formula.map(sum)) : null,
  };
}

/** The same counts straight from an analysis (equal to modelCounts of its record). */
export function analysisCounts(a: ModelAnalysis): ModelCounts {
  const al = a.outputs.map((o) => o.alignment);
  const distinct = a.outputs.map((o) => o.distinctInterpretations);
  return {
    circuits: sum(a.outputs.map((o) => o.perfectCircuits)),
    interpretations: a.outputs.some((o) => o.interpretations === null) ? null : sum(a.outputs.map((o) => o.interpretations!)),
    distinctInterpretations: distinct.some((d) => d === null) ? null : sum(distinct as number[]),
    algorithms: a.settings.alignment ? sum(al.map((x) => x!.formulas)) : null,
    mappings: a.settings.alignment ? sum(al.map((x) => sum(x!.mappingsPerFormula))) : null,
    validMappings: a.settings.alignment ? sum(al.map((x) => sum(x!.validMappingsPerFormula))) : null,
  };
}
