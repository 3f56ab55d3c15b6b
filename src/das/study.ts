/**
 * DAS over a study's models against their neuron-set verdicts. Models are retrained deterministically from a
 * record's seed and settings (jobExperimentConfig: same seed, same weights) and checked against the record
 * (accepted, validation accuracy). Per model and output: for every candidate formula, the best neuron-set IIA (the
 * largest t for which a mapping of disjoint single-layer sets with every node at IIA ≥ t exists, on the same pair
 * set) and DAS's best IIA over layers and restarts, the formulas each aligns, and how many distinct subspaces the
 * restarts that reach IIA 1 span. One plain record per model (snake_case, JSONL), appended and resumable by key.
 */
import { StudyRecord } from "../analysis";
import { countValidMappings, interventionTable, iiaTable, pairSet, PairSetName } from "../alignment";
import { candidateFormulas } from "../formulas";
import { MLP } from "../model";
import { getStudy, jobExperimentConfig, StudyJob, jobKey, mean } from "../experiments";
import { trainExperimentSync } from "../train";
import { InputError } from "../errors";
import { dasAlignGate, FormulaDasOptions } from "./formula";
import { distinctSubspaces } from "./subspaces";

export interface DasStudyOptions extends FormulaDasOptions {
  /** Run DAS only on formulas with at most this many variables (the neuron-set side always sees every formula). */
  maxVariables?: number;
  /** Angle tolerance (radians) under which two solutions count as one subspace (default 0.1). */
  subspaceTolerance?: number;
}

/** One model's DAS verdicts (snake_case: what the JSONL holds). */
export interface DasRecord {
  key: string;
  study: string;
  seed: number;
  seed_offset: number;
  size: number;
  gate: string;
  output: number;
  pair_set: PairSetName;
  restarts: number;
  /** DAS ran on formulas with at most this many variables (null: every formula that fits a layer). */
  max_variables: number | null;
  /** Candidate formulas (strings, candidate order). */
  n_candidates: number;
  /** Formulas aligned by neuron sets (IIA 1 on every node, disjoint sets): the record's `formulas` count. */
  neuron_aligned: number[];
  /** Best neuron-set IIA per candidate formula. */
  neuron_iia: number[];
  /** DAS: aligned formulas, best IIA per formula (null: more variables than any layer is wide), its layer. */
  das_aligned: number[];
  das_iia: (number | null)[];
  das_layer: (number | null)[];
  /** Per DAS-aligned formula: restarts reaching IIA 1 and their distinct subspaces. */
  das_solutions: { formula: number; restarts_at_1: number; distinct: number }[];
  /** The cached record's count of neuron-aligned formulas, to check the retrained model against. */
  record_formulas: number | null;
  time_ms: { train: number; neuron: number; das: number };
}

/**
 * Per candidate formula, the largest t at which a complete mapping of disjoint single-layer neuron sets has every
 * node at IIA ≥ t (1 = the neuron-set search aligns it). One intervention table for all formulas.
 */
export function bestNeuronSetIia(model: MLP, gate: string, name: PairSetName, output = 0): number[] {
  const nVars = model.layerSizes[0];
  const table = interventionTable(model, nVars, output);
  const pairs = pairSet(name, nVars);
  return candidateFormulas(gate, model.layerSizes.length - 1).map(({ formula: f }) => {
    const { iia } = iiaTable(f, table, pairs);
    // Level 1 always tried: a formula without relevant nodes has one (empty) mapping, as in the search (SPEC 14.10).
    const levels = [...new Set([1, ...iia.flat()])].sort((a, b) => b - a);
    for (const t of levels) if (countValidMappings(f, table, pairs, t, 1).count >= 1) return t;
    return 0;
  });
}

/** The study job a record was produced by. */
export function recordJob(r: StudyRecord): StudyJob {
  const j = { nGates: r.n_gates, seedOffset: r.seed_offset, size: r.sizes, depth: r.depth, lossTarget: r.loss_target, learningRate: r.learning_rate };
  return { index: r.job ?? 0, key: jobKey(j), ...j };
}

/** Retrains a record's model (same seed, same weights) and checks it against the record. */
export function retrainRecordModel(r: StudyRecord): MLP {
  if (!r.study || r.study === "custom") throw new InputError(`DAS study: record ${r.key} has no named study to retrain from (got ${JSON.stringify(r.study)}).`);
  const grid = { ...getStudy(r.study).grid, seed: r.seed ?? 0, noiseStd: r.noise_std ?? 0 };
  const { result } = trainExperimentSync(jobExperimentConfig(grid, recordJob(r)));
  if (result.accepted !== r.accepted || Math.abs(result.valAcc - (r.val_acc ?? NaN)) > 1e-9)
    throw new InputError(`DAS study: retraining ${r.key} gave accepted ${result.accepted}, val_acc ${result.valAcc}; the record says ${r.accepted}, ${r.val_acc} (different engine or settings?).`);
  return result.model;
}

/** The DAS record of one accepted study record (output 0). */
export function dasStudyRecord(r: StudyRecord, opts: DasStudyOptions = {}): DasRecord {
  const t0 = performance.now();
  const model = retrainRecordModel(r);
  const tTrain = performance.now() - t0;
  const gate = r.gates.split(" ")[0];
  const name = opts.pairSet ?? "reference";
  const t1 = performance.now();
  const neuronIia = bestNeuronSetIia(model, gate, name);
  const n = neuronIia.length;
  const tNeuron = performance.now() - t1;
  const das = dasAlignGate(model, gate, { ...opts, pairSet: name });
  const maxVariables = opts.maxVariables ?? null;
  const restarts = opts.restarts ?? 3;
  return {
    key: r.key,
    study: r.study,
    seed: r.seed ?? 0,
    seed_offset: r.seed_offset,
    size: r.sizes,
    gate,
    output: 0,
    pair_set: name,
    restarts,
    max_variables: maxVariables,
    n_candidates: n,
    neuron_aligned: neuronIia.flatMap((v, i) => (v >= 1 ? [i] : [])),
    neuron_iia: neuronIia,
    das_aligned: das.aligned,
    das_iia: das.formulas.map((f) => f?.best.iia ?? null),
    das_layer: das.formulas.map((f) => f?.best.layer ?? null),
    das_solutions: das.aligned.map((i) => {
      const at1 = das.formulas[i]!.restarts.filter((x) => x.iia >= 1);
      // Solutions at different layers are different subspaces; group within each layer.
      const layers = [...new Set(at1.map((x) => x.layer))];
      const distinct = layers.reduce((s, l) => s + distinctSubspaces(at1.filter((x) => x.layer === l).map((x) => ({ d: x.fit.d, rotation: x.fit.rotation, blocks: x.fit.blocks })), opts.subspaceTolerance ?? 0.1).count, 0);
      return { formula: i, restarts_at_1: at1.length, distinct };
    }),
    record_formulas: r.formulas ? r.formulas[0] : null,
    time_ms: { train: tTrain, neuron: tNeuron, das: das.timeMs },
  };
}

/** Summary of DAS records: models, neuron-aligned and DAS-aligned models, and DAS alignments the neuron sets reject. */
export interface DasStudySummary {
  size: number | "all";
  models: number;
  neuronAlignedModels: number;
  dasAlignedModels: number;
  /** Models with no neuron-aligned formula that DAS aligns. */
  rescued: number;
  /** Formula alignments by DAS that neuron sets reject, and the reverse among the formulas DAS was run on. */
  dasOnlyFormulas: number;
  neuronOnlyFormulas: number;
  meanDistinctSubspaces: number | null;
}

export function summarizeDasRecords(records: readonly DasRecord[]): DasStudySummary[] {
  const sizes = [...new Set(records.map((r) => r.size))].sort((a, b) => a - b);
  const one = (size: number | "all", rs: readonly DasRecord[]): DasStudySummary => {
    const sol = rs.flatMap((r) => r.das_solutions.map((s) => s.distinct));
    return {
      size,
      models: rs.length,
      neuronAlignedModels: rs.filter((r) => r.neuron_aligned.length > 0).length,
      dasAlignedModels: rs.filter((r) => r.das_aligned.length > 0).length,
      rescued: rs.filter((r) => r.neuron_aligned.length === 0 && r.das_aligned.length > 0).length,
      dasOnlyFormulas: rs.reduce((s, r) => s + r.das_aligned.filter((i) => !r.neuron_aligned.includes(i)).length, 0),
      neuronOnlyFormulas: rs.reduce((s, r) => s + r.neuron_aligned.filter((i) => r.das_iia[i] !== null && !r.das_aligned.includes(i)).length, 0),
      meanDistinctSubspaces: mean(sol),
    };
  };
  return [...sizes.map((k) => one(k, records.filter((r) => r.size === k))), one("all", records)];
}
