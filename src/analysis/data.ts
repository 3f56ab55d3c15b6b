/**
 * The data a model analysis runs on: the validation set (which circuits are perfect) and the grounding set (which
 * truth tables the neurons compute). From the model file, main.py's clean defaults, or the paper's notebook data.
 */
import { ModelFile } from "../model";
import { loadNotebookData } from "../reference";
import { Rng, deriveSeed } from "../rng";
import { InputError } from "../errors";
import { Dataset, generateData, makeTask } from "../tasks";

/** Seed of the default data sets drawn when a model file carries none (main.py's clean defaults). */
export const ANALYSIS_DEFAULT_SEED = 0;

/** Where `analyze` takes its data: the model file's own (clean defaults when it has none), clean defaults, or the paper's notebook. */
export type AnalysisDataSource = "file" | "clean" | "notebook";
export const ANALYSIS_DATA_SOURCES: readonly AnalysisDataSource[] = ["file", "clean", "notebook"];

/**
 * main.py's defaults when the file has no data: validation = 50 clean draws of each input (200 rows), grounding =
 * 10 (40 rows), drawn with `generateData` from streams derived from seed 0 ("analysis-val", "analysis-tt").
 */
export function defaultAnalysisData(gate: string, arity: number): { val: Dataset; xTt: { x: Float32Array; n: number } } {
  if (!gate) throw new InputError(`analyze: the model has no gate names and no validation data; give x_val/y_val in the file or the gates.`);
  const task = makeTask([gate]);
  if (task.arity !== arity) throw new InputError(`analyze: gate ${gate} takes ${task.arity} inputs but the model takes ${arity}.`);
  const val = generateData(task, { nRepeats: 50, rng: new Rng(deriveSeed(ANALYSIS_DEFAULT_SEED, "analysis-val", gate)) });
  const tt = generateData(task, { nRepeats: 10, rng: new Rng(deriveSeed(ANALYSIS_DEFAULT_SEED, "analysis-tt", gate)) });
  return { val, xTt: { x: tt.x, n: tt.n } };
}

/**
 * The model file with the data of `source`: "file" keeps it as is; "clean" drops its data (main.py's clean defaults
 * are drawn per output); "notebook" attaches the validation and grounding data of the paper's demo_xor.ipynb (with
 * which the released model has 7 perfect circuits and 100 896 interpretations), for a one-output XOR model only.
 */
export function withAnalysisData(file: ModelFile, source: AnalysisDataSource): ModelFile {
  if (!file || !file.model) throw new InputError("withAnalysisData: file must be a ModelFile ({ model, val?, xTt? }), e.g. from modelFromJson or loadReleasedModel().");
  if (!ANALYSIS_DATA_SOURCES.includes(source)) throw new InputError(`analysis data: source must be one of ${ANALYSIS_DATA_SOURCES.join(", ")}, got ${JSON.stringify(source)}.`);
  if (source === "file") return file;
  const { val: _v, xTt: _t, ...rest } = file;
  if (source === "clean") return rest;
  const sizes = file.model.layerSizes;
  const gates = file.model.gates;
  if (sizes[0] !== 2 || sizes[sizes.length - 1] !== 1 || (gates.length > 0 && gates[0].toUpperCase() !== "XOR"))
    throw new InputError(`analysis data: the notebook data are XOR's (2 inputs, 1 output); this model is [${sizes.join(",")}] with gates ${JSON.stringify(gates)}. Use --data file or --data clean.`);
  const nb = loadNotebookData();
  return { ...rest, val: nb.val, xTt: nb.xTt };
}
