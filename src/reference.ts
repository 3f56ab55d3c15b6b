/**
 * The paper's released XOR model and the data of its demo notebook, shipped in data/reference/ so notebooks, tests
 * and users reproduce the published numbers without the original repository.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ModelFile, modelFromJson } from "./model";
import { Dataset } from "./tasks";

/** data/reference/ of the package (this file compiles to dist/, one level below the package root like src/). */
export const REFERENCE_DIR = path.join(__dirname, "..", "data", "reference");

export function referencePath(name: string): string {
  return path.join(REFERENCE_DIR, name);
}

/** The released [2,3,3,1] XOR model (Méloux et al. 2025), with gates ["XOR"]. */
export function loadReleasedModel(): ModelFile {
  return modelFromJson(JSON.parse(fs.readFileSync(referencePath("xor_mlp_meloux2025.json"), "utf8")));
}

export interface NotebookData {
  /** The notebook's validation set: 10 000 noisy rows. */
  val: Dataset;
  /** The 4 rows of the notebook's 160 000-row grounding set that grounding effectively keeps (one per key). */
  xTt: { x: Float32Array; n: number };
  /** What the notebook stored: circuits, groundings_total, n_candidate_formulas_xor_max_depth_3, ... */
  stored: Record<string, unknown>;
}

/** The validation data and stored outputs of the paper's demo_xor.ipynb. */
export function loadNotebookData(): NotebookData {
  const d = JSON.parse(fs.readFileSync(referencePath("xor_notebook_data_meloux2025.json"), "utf8"));
  const n = d.x_val.length;
  const val: Dataset = { x: Float32Array.from(d.x_val.flat()), y: Float32Array.from(d.y_val.flat()), n, nInputs: 2, nOutputs: 1 };
  const rows: { x: number[] }[] = d.x_tt_effective_points.rows;
  return { val, xTt: { x: Float32Array.from(rows.flatMap((r) => r.x)), n: rows.length }, stored: d.notebook_stored_outputs };
}
