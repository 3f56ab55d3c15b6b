/**
 * The per-model analysis shared by the `analyze` command, the experiments runner and the notebooks: per output, the
 * candidate circuits, the perfect ones with their interpretations (where-then-what) and the aligned formulas
 * (what-then-where). One camelCase result, `ModelAnalysis`; the snake_case columns come from format.ts.
 */
import { AlignedFormula, alignGate } from "../alignment";
import { MAX_DISTINCT_ROWS, PerfectCircuit, countCandidates, countPerfectCircuits, distinctRows, findCircuits, sparsestCircuits } from "../circuits";
import { countDistinctInterpretations, countGroundings, groundingProblem } from "../interpretations";
import { MLP, ModelFile, splitOutputs } from "../model";
import { InputError } from "../errors";
import { Dataset } from "../tasks";
import { defaultAnalysisData } from "./data";
import { AnalysisSettings, candidateOptions, circuitsMethod, resolveSettings } from "./settings";

/** One perfect circuit of an output (findCircuits' record) with its interpretation counts. */
export interface AnalyzedCircuit extends PerfectCircuit {
  /** Groundings counted with multiplicity (SPEC 5: the reference's count); null when not grounded (maxCircuits). */
  interpretations: number | null;
  /** Distinct gate-label assignments (label dicts) among those groundings; null when not grounded (maxCircuits). */
  distinctInterpretations: number | null;
}

/** What-then-where of one output: the candidate formulas of its gate that align, with their mappings. */
export interface OutputAlignment {
  /** Candidate formulas tried. */
  nCandidates: number;
  /** Formulas with at least one minimal mapping. */
  formulas: number;
  /** Minimal mappings of each aligned formula, candidate order. */
  mappingsPerFormula: number[];
  /** Valid mappings (minimal or not) of each aligned formula, same order. */
  validMappingsPerFormula: number[];
  aligned: AlignedFormula[];
}

export interface OutputAnalysis {
  /** Output index (the sub-network analysed is this output's, as main.py splits multi-output models). */
  output: number;
  /** Gate name ("" when the model file names none). */
  gate: string;
  /** Candidate circuits enumerated. */
  nCandidates: number;
  /** The perfect circuits, enumeration order (empty when they were counted without being listed, see perfectCircuits). */
  circuits: AnalyzedCircuit[];
  /** Number of perfect circuits; without `circuits` when over maxCandidates they were counted exactly (countPerfectCircuits) rather than listed. */
  perfectCircuits: number;
  /** "enumerate": every candidate evaluated and the perfect ones listed and grounded; "count": counted only (interpretations not computed). */
  circuitsMethod: "enumerate" | "count";
  /** Circuits grounded (all, unless maxCircuits kept the sparsest). */
  groundedCircuits: number;
  /** Interpretations summed over the grounded circuits; null when the circuits were counted, not listed (circuitsMethod "count"). */
  interpretations: number | null;
  /** Distinct interpretations summed over the grounded circuits; null when not computed. */
  distinctInterpretations: number | null;
  /** null when settings.alignment is false. */
  alignment: OutputAlignment | null;
  /** Wall-clock milliseconds of each stage. */
  timingsMs: { circuits: number; interpretations: number; alignment: number };
}

export interface ModelAnalysis {
  layerSizes: number[];
  settings: AnalysisSettings;
  outputs: OutputAnalysis[];
  /** Stage timings summed over outputs, and the total. */
  timingsMs: { circuits: number; interpretations: number; alignment: number; total: number };
}

/** The data of an analysis: validation rows (every output's labels) and grounding inputs. */
export interface AnalysisData {
  val: Dataset;
  xTt: { x: Float32Array; n: number };
}

export interface AnalyzeProgress {
  onProgress?: (stage: string, done: number, total: number) => void;
}

function outputData(file: ModelFile, o: number, gate: string): AnalysisData {
  // main.py's clean defaults, drawn once, only for what the file lacks.
  const defaults = file.val && file.xTt ? undefined : defaultAnalysisData(gate, file.model.layerSizes[0]);
  let val: Dataset;
  if (file.val) {
    const n = file.val.n;
    const y = new Float32Array(n);
    for (let r = 0; r < n; r++) y[r] = file.val.y[r * file.val.nOutputs + o];
    val = { x: file.val.x, y, n, nInputs: file.val.nInputs, nOutputs: 1 };
  } else val = defaults!.val;
  const xTt = file.xTt ?? defaults!.xTt;
  return { val, xTt };
}

/**
 * Analyses every output of a model: its validation/grounding data from the file, or main.py's clean defaults per
 * output when the file carries none (see withAnalysisData for the paper's notebook data).
 */
export function analyzeModelFile(file: ModelFile, settings: Partial<AnalysisSettings> = {}, progress: AnalyzeProgress = {}): ModelAnalysis {
  if (!file || !file.model) throw new InputError("analyzeModelFile: file must be a ModelFile ({ model, val?, xTt? }), e.g. from modelFromJson or loadReleasedModel().");
  const t0 = performance.now();
  const s = resolveSettings(settings);
  const model = file.model;
  const sizes = model.layerSizes;
  countCandidates(sizes, candidateOptions(s, sizes)); // validates sizes early
  const outputs = splitOutputs(model).map((sub, o) => {
    const gate = model.gates[o] ?? "";
    return analyzeOutput(sub, o, gate, outputData(file, o, gate), s, progress);
  });
  const sum = (k: "circuits" | "interpretations" | "alignment") => outputs.reduce((t, o) => t + o.timingsMs[k], 0);
  return {
    layerSizes: [...sizes],
    settings: s,
    outputs,
    timingsMs: { circuits: sum("circuits"), interpretations: sum("interpretations"), alignment: sum("alignment"), total: performance.now() - t0 },
  };
}

/** Analyses a model on given data (`data.val` holds every output's labels). */
export function analyzeModel(model: MLP, data: AnalysisData, settings: Partial<AnalysisSettings> = {}, progress: AnalyzeProgress = {}): ModelAnalysis {
  if (!data || !data.val || !data.xTt) throw new InputError("analyzeModel: data must be { val: Dataset, xTt: { x, n } }; for main.py's clean defaults call analyzeModelFile({ model }).");
  return analyzeModelFile({ model, val: data.val, xTt: data.xTt }, settings, progress);
}

function analyzeOutput(sub: MLP, o: number, gate: string, data: AnalysisData, s: AnalysisSettings, progress: AnalyzeProgress): OutputAnalysis {
  const sizes = sub.layerSizes;
  const onProgress = progress.onProgress;
  let t0 = performance.now();
  // The counter needs few distinct rows (clean data); noisy data go to findCircuits, which refuses over budget.
  const method = circuitsMethod(sizes, s) === "count" && distinctRows(data.val).u <= MAX_DISTINCT_ROWS ? "count" : "enumerate";
  if (method === "count") return countedOutput(sub, o, gate, data, s, t0);
  const search = findCircuits(sub, data.val, {
    ...candidateOptions(s, sizes),
    maxCandidates: s.maxCandidates,
    accuracyThreshold: s.accuracyThreshold,
    metrics: false,
    onProgress: onProgress && ((d, t) => onProgress(`output ${o} circuits`, d, t)),
  });
  const circuits: AnalyzedCircuit[] = search.circuits.map((c) => ({ ...c, interpretations: null, distinctInterpretations: null }));
  const tCircuits = performance.now() - t0;

  t0 = performance.now();
  // sparsestCircuits returns the same objects, enumeration order.
  const groundedCircuits = s.maxCircuits === null ? circuits : (sparsestCircuits(circuits, s.maxCircuits) as AnalyzedCircuit[]);
  groundedCircuits.forEach((c, k) => {
    const problem = groundingProblem(sub, c.masks, data.xTt.x, data.xTt.n, s.groundingMode);
    c.interpretations = countGroundings(problem);
    c.distinctInterpretations = countDistinctInterpretations(problem);
    onProgress?.(`output ${o} interpretations`, k + 1, groundedCircuits.length);
  });
  const tInterpretations = performance.now() - t0;

  let alignment: OutputAlignment | null = null;
  let tAlignment = 0;
  if (s.alignment) {
    if (!gate) throw new InputError(`analyze: output ${o} has no gate name, which the alignment needs; give the gates (--gates) or turn the alignment off (alignment: false, --no-align).`);
    t0 = performance.now();
    const al = alignGate(sub, gate, { pairOrder: s.pairOrder, alignmentMode: s.alignmentMode, iiaThreshold: s.iiaThreshold });
    tAlignment = performance.now() - t0;
    alignment = {
      nCandidates: al.nCandidates,
      formulas: al.formulas,
      mappingsPerFormula: al.mappingsPerFormula,
      validMappingsPerFormula: al.validMappingsPerFormula,
      aligned: al.aligned,
    };
  }
  const distinct = groundedCircuits.map((c) => c.distinctInterpretations);
  return {
    output: o,
    gate,
    nCandidates: search.nCandidates,
    circuits,
    perfectCircuits: circuits.length,
    circuitsMethod: method,
    groundedCircuits: groundedCircuits.length,
    interpretations: groundedCircuits.reduce((t, c) => t + c.interpretations!, 0),
    distinctInterpretations: distinct.some((d) => d === null) ? null : distinct.reduce((t: number, d) => t + d!, 0),
    alignment,
    timingsMs: { circuits: tCircuits, interpretations: tInterpretations, alignment: tAlignment },
  };
}

/** An output whose candidates exceed maxCandidates: perfect circuits counted exactly, not listed nor grounded. */
function countedOutput(sub: MLP, o: number, gate: string, data: AnalysisData, s: AnalysisSettings, t0: number): OutputAnalysis {
  const counted = countPerfectCircuits(sub, data.val, { ...candidateOptions(s, sub.layerSizes), accuracyThreshold: s.accuracyThreshold });
  const tCircuits = performance.now() - t0;
  let alignment: OutputAlignment | null = null;
  let tAlignment = 0;
  if (s.alignment) {
    if (!gate) throw new InputError(`analyze: output ${o} has no gate name, which the alignment needs; give the gates (--gates) or turn the alignment off (alignment: false, --no-align).`);
    const t1 = performance.now();
    const al = alignGate(sub, gate, { pairOrder: s.pairOrder, alignmentMode: s.alignmentMode, iiaThreshold: s.iiaThreshold });
    tAlignment = performance.now() - t1;
    alignment = { nCandidates: al.nCandidates, formulas: al.formulas, mappingsPerFormula: al.mappingsPerFormula, validMappingsPerFormula: al.validMappingsPerFormula, aligned: al.aligned };
  }
  return {
    output: o,
    gate,
    nCandidates: counted.nCandidates,
    circuits: [],
    perfectCircuits: counted.perfect,
    circuitsMethod: "count",
    groundedCircuits: 0,
    interpretations: null,
    distinctInterpretations: null,
    alignment,
    timingsMs: { circuits: tCircuits, interpretations: 0, alignment: tAlignment },
  };
}
