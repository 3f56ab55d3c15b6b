/**
 * The control of Sutter et al. (2025): alignment maps that are expressive enough align formulas to networks that
 * compute nothing. Untrained networks (PyTorch-default initialisation, initMLP, seeds 0 … n−1) of the study's shape
 * [2, k, k, 1] are aligned with XOR's candidate formulas by linear DAS (a rotation) and by the non-linear coupling map
 * (nonlinear-map.ts), each at every hidden layer, the best kept. IIA is scored on the 12 ordered pairs with base ≠
 * source, which are also the training pairs: with two inputs the pair space is finite, so this measures what a map can
 * fit, which is the control's point. The untrained network's own accuracy on XOR is reported beside it.
 */
import { candidateFormulas, relevantNodes } from "../formulas";
import { MLP, accuracy } from "../model";
import { pairSet } from "../alignment";
import { cleanDataset } from "../tasks";
import { initMLP } from "../train";
import { deriveSeed } from "../rng";
import { dasAlignFormula, formulaExamples, formulaMapIia } from "./formula";
import { couplingInterchangeRows, trainCouplingMap } from "./nonlinear-map";
import { modelTail } from "./tail";

export interface RandomControlOptions {
  /** Hidden widths k (default [3]). */
  widths?: number[];
  /** Untrained networks per width (default 10). */
  networks?: number;
  /** Candidate formula indices (default [0, 1]: the two-variable XOR formulas). */
  formulas?: number[];
  /** Restarts of linear DAS per layer (default 2); the non-linear map gets one start per layer. */
  restarts?: number;
  /** Hidden tanh units of each coupling network (default 8). */
  hidden?: number;
  /** Steps of the non-linear map's training (default 150). */
  steps?: number;
}

export interface RandomControlRow {
  width: number;
  network: number;
  formula: number;
  formula_string: string;
  map: "linear" | "nonlinear";
  /** Smallest node IIA at the best layer, and that layer. */
  iia: number;
  layer: number;
  /** The untrained network's accuracy on XOR's four clean inputs. */
  network_accuracy: number;
}

/** Non-linear map: best IIA over hidden layers for one formula. */
export function nonlinearFormulaIia(model: MLP, formulaIndex: number, opts: { hidden?: number; steps?: number; seed?: number } = {}): { iia: number; layer: number } {
  const f = candidateFormulas("XOR", model.layerSizes.length - 1)[formulaIndex].formula;
  const pairs = pairSet("corrected", 2);
  let best = { iia: -1, layer: 1 };
  for (let layer = 1; layer < model.layerSizes.length - 1; layer++) {
    if (relevantNodes(f).length > model.layerSizes[layer]) continue;
    const map = trainCouplingMap(modelTail(model, layer), formulaExamples(model, f, layer, pairs, 2), { hidden: opts.hidden, steps: opts.steps, seed: deriveSeed(opts.seed ?? 0, "coupling", layer) });
    const iia = Math.min(...formulaMapIia(model, f, layer, (ex) => Float32Array.from(couplingInterchangeRows(map, ex)), pairs, 2));
    if (iia > best.iia) best = { iia, layer };
  }
  return best;
}

/** The control's rows: every width × untrained network × formula × map. */
export function randomControl(opts: RandomControlOptions = {}): RandomControlRow[] {
  const rows: RandomControlRow[] = [];
  const candidates = candidateFormulas("XOR", 3);
  for (const width of opts.widths ?? [3])
    for (let network = 0; network < (opts.networks ?? 10); network++) {
      const model = initMLP([2, width, width, 1], ["XOR"], network);
      const acc = accuracy(model, cleanDataset(["XOR"]));
      for (const formula of opts.formulas ?? [0, 1]) {
        const c = candidates[formula];
        const lin = dasAlignFormula(model, c.formula, { pairSet: "corrected", restarts: opts.restarts ?? 2 });
        rows.push({ width, network, formula, formula_string: c.string, map: "linear", iia: lin.best.iia, layer: lin.best.layer, network_accuracy: acc });
        const non = nonlinearFormulaIia(model, formula, { hidden: opts.hidden, steps: opts.steps });
        rows.push({ width, network, formula, formula_string: c.string, map: "nonlinear", iia: non.iia, layer: non.layer, network_accuracy: acc });
      }
    }
  return rows;
}
