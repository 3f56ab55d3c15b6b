/**
 * The per-model analysis shared by the `analyze` command and the experiments runner: per output, the candidate
 * circuits, the perfect ones, their interpretations (where-then-what) and the aligned formulas (what-then-where).
 */
import { alignGate } from "./alignment";
import { countCandidates, defaultMinSparsity, findCircuits, sparsestCircuits, DEFAULT_MAX_CANDIDATES } from "./circuits";
import { countGroundings, groundingProblem } from "./interpretations";
import { ModelFile, splitOutputs } from "./model";
import { Rng, deriveSeed } from "./rng";
import { Dataset, generateData, makeTask } from "./tasks";

export interface AnalyzeOptions {
  pairOrder?: "BA" | "AB";
  mode?: "compat" | "corrected";
  /** IIA threshold of the corrected-mode alignment (default 1). */
  alignThreshold?: number;
  alignment?: boolean;
  accuracyThreshold?: number;
  minSparsity?: number;
  includeFullNodeSet?: boolean;
  maxCandidates?: number;
  maxCircuits?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface OutputAnalysis {
  gate: string;
  n_candidates: number;
  perfect_circuits: number;
  interpretations_per_circuit: number[];
  formulas: number | null;
  mappings_per_formula: number[] | null;
  /** Ours: valid mappings (minimal or not) of each aligned formula, the count before the minimality filter. */
  valid_mappings_per_formula: number[] | null;
  timings_ms: Record<string, number>;
  aligned?: { index: number; formula: string; mappings: Record<string, [number, number][]>[] }[];
}

/** Seed of the default data sets drawn when a model file carries none (main.py's clean defaults). */
export const ANALYSIS_DEFAULT_SEED = 0;

/**
 * main.py's defaults when the file has no data: validation = 50 clean draws of each input (200 rows), grounding =
 * 10 (40 rows), drawn with `generateData` from streams derived from seed 0 ("analysis-val", "analysis-tt").
 */
export function defaultAnalysisData(gate: string, arity: number): { val: Dataset; xTt: { x: Float32Array; n: number } } {
  if (!gate) throw new Error(`analyze: the model has no gate names and no validation data; give x_val/y_val in the file or the gates.`);
  const task = makeTask([gate]);
  if (task.arity !== arity) throw new Error(`analyze: gate ${gate} takes ${task.arity} inputs but the model takes ${arity}.`);
  const val = generateData(task, { nRepeats: 50, rng: new Rng(deriveSeed(ANALYSIS_DEFAULT_SEED, "analysis-val", gate)) });
  const tt = generateData(task, { nRepeats: 10, rng: new Rng(deriveSeed(ANALYSIS_DEFAULT_SEED, "analysis-tt", gate)) });
  return { val, xTt: { x: tt.x, n: tt.n } };
}

export function analyzeModelFile(file: ModelFile, opts: AnalyzeOptions = {}): { outputs: OutputAnalysis[] } {
  const model = file.model;
  const sizes = model.layerSizes;
  const L = sizes.length - 1;
  const mode = opts.mode ?? "compat";
  const enumOpts = {
    minSparsity: opts.minSparsity ?? defaultMinSparsity(sizes),
    includeFullNodeSet: opts.includeFullNodeSet ?? false,
    maxCandidates: opts.maxCandidates ?? DEFAULT_MAX_CANDIDATES,
    accuracyThreshold: opts.accuracyThreshold ?? 0.99,
  };
  countCandidates(sizes, enumOpts); // validates sizes early
  const subs = splitOutputs(model);
  const outputs: OutputAnalysis[] = [];
  subs.forEach((sub, o) => {
    const gate = model.gates[o] ?? "";
    const timings: Record<string, number> = {};
    let t0 = performance.now();
    let val: Dataset;
    let xTt: { x: Float32Array; n: number };
    if (file.val) {
      const n = file.val.n;
      const y = new Float32Array(n);
      for (let r = 0; r < n; r++) y[r] = file.val.y[r * file.val.nOutputs + o];
      val = { x: file.val.x, y, n, nInputs: file.val.nInputs, nOutputs: 1 };
    } else val = defaultAnalysisData(gate, sizes[0]).val;
    xTt = file.xTt ?? defaultAnalysisData(gate, sizes[0]).xTt;
    const search = findCircuits(sub, val, {
      ...enumOpts,
      metrics: false,
      onProgress: opts.onProgress && ((d, t) => opts.onProgress!(`output ${o} circuits`, d, t)),
    });
    timings.circuits = performance.now() - t0;
    t0 = performance.now();
    const grounded = opts.maxCircuits !== undefined ? sparsestCircuits(search.circuits, opts.maxCircuits) : search.circuits;
    const interpretations = grounded.map((circuit, k) => {
      const c = countGroundings(groundingProblem(sub, circuit.masks, xTt.x, xTt.n, mode));
      opts.onProgress?.(`output ${o} interpretations`, k + 1, grounded.length);
      return c;
    });
    timings.interpretations = performance.now() - t0;
    const result: OutputAnalysis = {
      gate,
      n_candidates: search.nCandidates,
      perfect_circuits: search.circuits.length,
      interpretations_per_circuit: interpretations,
      formulas: null,
      mappings_per_formula: null,
      valid_mappings_per_formula: null,
      timings_ms: timings,
    };
    if (opts.alignment ?? true) {
      if (!gate) throw new Error(`analyze: output ${o} has no gate name, which the alignment needs; pass alignment: false (--no-align).`);
      t0 = performance.now();
      const al = alignGate(sub, gate, { pairOrder: opts.pairOrder, mode, threshold: opts.alignThreshold });
      timings.alignment = performance.now() - t0;
      result.formulas = al.formulas;
      result.mappings_per_formula = al.mappingsPerFormula;
      result.valid_mappings_per_formula = al.validMappingsPerFormula;
      result.aligned = al.aligned.map((a) => ({ index: a.index, formula: a.formula, mappings: a.mappings }));
    }
    void L;
    outputs.push(result);
  });
  return { outputs };
}
