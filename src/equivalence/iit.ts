/**
 * Interchange-intervention training (IIT, Geiger et al.): train an XOR net so that a chosen class's algorithm is
 * implemented by an alignment we fix in advance (variable j ↔ hidden unit j of the first hidden layer). Loss = task
 * MSE + MSE of the interchange-intervened output against the high-level model's counterfactual output. TensorFlow.js
 * custom loop (the Layers API has no activation hooks); the result is a plain MLP.
 */
import { loadTf } from "../backend";
import { Formula, evaluateFormula, fAnd, fNot, fOr, fVar, formulaNodeValues } from "../formulas";
import { InterventionTable, highLevelOutcomes, interchangeAccuracy, interventionTable, pairSet } from "../alignment";
import { MLP, hookName, mlpFromArrays, neuronName, weightsAsArrays } from "../model";
import { Rng } from "../rng";
import { initMLP } from "../train";
import { XorClass, computesXor } from "./groundTruth";

/**
 * The high-level model of a class: a formula over (a, b) whose output is XOR, and the formula nodes that are its
 * intermediate variables (ids in pre-order). C1 and C3 share the formula (a∨b)∧¬(a∧b) and differ in what is a
 * variable: C1's are a∨b and a∧b; C3's are the leaves a and b under the OR (copies of the inputs, free to take a
 * source's value) and a∧b.
 */
export interface HighLevelModel {
  formula: Formula;
  variables: readonly number[];
}

const A = 0;
const B = 1;
/** Pre-order ids: 0 ∧, 1 ∨, 2 a, 3 b, 4 ¬, 5 ∧, 6 a, 7 b. */
const SYMMETRIC = fAnd(fOr(fVar(A, 2), fVar(B, 3), 1), fNot(fAnd(fVar(A, 6), fVar(B, 7), 5), 4), 0);
/** Pre-order ids: 0 ∨, 1 ∧, 2 a, 3 ¬, 4 b, 5 ∧, 6 ¬, 7 a, 8 b. */
const ONE_SIDED = fOr(fAnd(fVar(A, 2), fNot(fVar(B, 4), 3), 1), fAnd(fNot(fVar(A, 7), 6), fVar(B, 8), 5), 0);

export const XOR_HIGH_LEVEL: Readonly<Record<XorClass, HighLevelModel>> = {
  C1: { formula: SYMMETRIC, variables: [1, 5] },
  C2: { formula: ONE_SIDED, variables: [1, 5] },
  C3: { formula: SYMMETRIC, variables: [2, 3, 5] },
};

function highLevel(cls: XorClass): HighLevelModel {
  const h = XOR_HIGH_LEVEL[cls];
  if (!h) throw new Error(`equivalence: unknown XOR class "${cls}"; use one of ${Object.keys(XOR_HIGH_LEVEL).join(", ")}.`);
  return h;
}

/** High-level output on the base corner with variable j taking its value on the source corner (a counterfactual). */
export function counterfactualOutput(cls: XorClass, base: [number, number], source: [number, number], j: number): number {
  const { formula, variables } = highLevel(cls);
  if (!Number.isInteger(j) || j < 0 || j >= variables.length) throw new Error(`counterfactualOutput: class ${cls} has variables 0…${variables.length - 1}, got ${j}.`);
  const id = variables[j];
  return evaluateFormula(formula, base, new Map([[id, formulaNodeValues(formula, source).get(id)!]]));
}

export interface IitOptions {
  /** Hidden sizes; the first layer needs at least as many units as the class has variables (default: exactly that many). */
  hidden?: number[];
  seed?: number;
  steps?: number;
  batch?: number;
  lr?: number;
  /** Input noise σ of base and source rows (default 0.1). */
  noise?: number;
  /** Weight of the interchange loss (default 1). */
  iitWeight?: number;
}

/** Trains one net to implement `cls` with variables on units 0 … k−1 of hidden layer 1. Seeded. */
export async function trainIIT(cls: XorClass, opts: IitOptions = {}): Promise<{ model: MLP; loss: number }> {
  const k = highLevel(cls).variables.length;
  const hidden = opts.hidden ?? [k];
  if (hidden[0] < k) throw new Error(`trainIIT: class ${cls} has ${k} variables; the first hidden layer needs ≥ ${k} units, got ${hidden[0]}.`);
  const seed = opts.seed ?? 0;
  const { tf } = await loadTf();
  const init = initMLP([2, ...hidden, 1], ["XOR"], seed);
  const W = weightsAsArrays(init).map((w) => tf.variable(tf.tensor2d(w).transpose())); // [in][out]
  const B = init.biases.map((b) => tf.variable(tf.tensor1d(Array.from(b))));
  const L = W.length;
  const act = (t: any) => tf.leakyRelu(t, 0.01);
  /** Forward; `patch` overwrites hidden layer 1 where mask = 1 with the source's activations (interchange intervention). */
  const fwd = (x: any, patch?: { mask: any; values: any }) => {
    let h = x;
    for (let i = 0; i < L; i++) {
      h = act(tf.add(tf.matMul(h, W[i]), B[i]));
      if (i === 0 && patch) h = tf.add(tf.mul(h, tf.sub(1, patch.mask)), tf.mul(patch.mask, patch.values));
    }
    return h;
  };
  const rng = new Rng(seed);
  const opt = tf.train.adam(opts.lr ?? 0.02);
  const steps = opts.steps ?? 2000;
  const n = opts.batch ?? 64;
  const noise = opts.noise ?? 0.1;
  let last = 0;
  for (let s = 0; s < steps; s++) {
    const bc: [number, number][] = [];
    const sc: [number, number][] = [];
    const xb: number[] = [];
    const xs: number[] = [];
    const yTask: number[] = [];
    const yCf: number[] = [];
    const js: number[] = [];
    for (let r = 0; r < n; r++) {
      const j = rng.int(k);
      js.push(j);
      const b: [number, number] = [rng.int(2), rng.int(2)];
      const c: [number, number] = [rng.int(2), rng.int(2)];
      bc.push(b);
      sc.push(c);
      xb.push(b[0] + noise * rng.normal(), b[1] + noise * rng.normal());
      xs.push(c[0] + noise * rng.normal(), c[1] + noise * rng.normal());
      yTask.push(b[0] ^ b[1]);
      yCf.push(counterfactualOutput(cls, b, c, j));
    }
    const loss = tf.tidy(() =>
      opt.minimize(() => {
        const xB = tf.tensor2d(xb, [n, 2]);
        const xS = tf.tensor2d(xs, [n, 2]);
        const task = tf.losses.meanSquaredError(tf.tensor2d(yTask, [n, 1]), fwd(xB));
        const hS = act(tf.add(tf.matMul(xS, W[0]), B[0]));
        const mask = tf.oneHot(tf.tensor1d(js, "int32"), hidden[0]);
        const iit = tf.losses.meanSquaredError(tf.tensor2d(yCf, [n, 1]), fwd(xB, { mask, values: hS }));
        return tf.add(task, tf.mul(opts.iitWeight ?? 1, iit));
      }, true),
    );
    if (s === steps - 1) last = (await loss.data())[0];
    loss.dispose();
  }
  const weights = await Promise.all(W.map(async (w) => (await w.transpose().array()) as number[][]));
  const biases = await Promise.all(B.map(async (b) => Array.from((await b.data()) as Float32Array)));
  W.forEach((w) => w.dispose());
  B.forEach((b) => b.dispose());
  return { model: mlpFromArrays([2, ...hidden, 1], weights, biases, ["XOR"]), loss: last };
}

/** The (source, base) pairs the class IIA tests: every ordered pair of corners, base = source included (16). */
const CLASS_PAIRS = pairSet("all", 2);

/**
 * Interchange-intervention accuracy of a net against a class with variable j ↔ unit units[j] of hidden layer `layer`
 * (default: unit j of layer 1): the library's IIA over the pair set "all" (4 × 4 clean corners, base = source
 * included), averaged over the class's variables. Pass the net's intervention table to reuse it across maps.
 */
export function iia(m: MLP, cls: XorClass, units?: readonly number[], layer = 1, table: InterventionTable = interventionTable(m, 2)): number {
  const { formula, variables } = highLevel(cls);
  const k = variables.length;
  const map = units ?? Array.from({ length: k }, (_, j) => j);
  if (map.length !== k) throw new Error(`iia: class ${cls} has ${k} variables; got a map to ${map.length} units.`);
  const L = m.layerSizes.length - 1;
  if (!Number.isInteger(layer) || layer < 1 || layer >= L) throw new Error(`iia: layer ${layer} is not a hidden layer; this model (layer_sizes ${JSON.stringify(m.layerSizes)}) has hidden layers 1…${L - 1}.`);
  const w = m.layerSizes[layer];
  let sum = 0;
  map.forEach((u, j) => {
    if (!Number.isInteger(u) || u < 0 || u >= w) throw new Error(`iia: class ${cls} variable ${j} → ${neuronName(layer, u)}: unit ${u} is out of range; ${hookName(layer)} has units 0…${w - 1}.`);
    const set = table.sets.findIndex((S, i) => S.layer === layer && table.masks[i] === 1 << u);
    sum += interchangeAccuracy(table.low[set], highLevelOutcomes(formula, variables[j], 2), table.nRows, CLASS_PAIRS);
  });
  return sum / k;
}

/**
 * Exhaustive single-unit alignment search against the class catalog: for every hidden layer and every injective map
 * of a class's variables to that layer's units, the IIA; a class is implemented when some map reaches `threshold`.
 * Complements alignGate, whose formula catalog (the reference's) has no C2 formula at depth ≤ 2.
 */
export function alignClasses(m: MLP, threshold = 1): { classes: XorClass[]; label: string; best: Record<XorClass, number> } {
  const best = { C1: 0, C2: 0, C3: 0 } as Record<XorClass, number>;
  const L = m.layerSizes.length - 1;
  const table = interventionTable(m, 2);
  for (const cls of Object.keys(XOR_HIGH_LEVEL) as XorClass[]) {
    const k = highLevel(cls).variables.length;
    for (let layer = 1; layer < L; layer++) {
      const w = m.layerSizes[layer];
      const rec = (map: number[]) => {
        if (best[cls] >= 1) return;
        if (map.length === k) {
          best[cls] = Math.max(best[cls], iia(m, cls, map, layer, table));
          return;
        }
        for (let u = 0; u < w; u++) if (!map.includes(u)) rec([...map, u]);
      };
      if (w >= k) rec([]);
    }
  }
  const classes = (Object.keys(best) as XorClass[]).filter((c) => best[c] >= threshold);
  return { classes, label: classes.length === 0 ? "none" : classes.length === 1 ? classes[0] : "mixed", best };
}

export interface IitNet {
  model: MLP;
  cls: XorClass;
  /** Seeds tried until one reached IIA ≥ minIia (training from a bad initialisation can stall). */
  attempts: number;
  iia: number;
  loss: number;
}

/** trainIIT with seeds derived from `seed` until the net computes XOR with IIA ≥ minIia (default 1); throws after maxAttempts. */
export async function trainIITNet(cls: XorClass, opts: IitOptions & { minIia?: number; maxAttempts?: number } = {}): Promise<IitNet> {
  const maxAttempts = opts.maxAttempts ?? 6;
  let best: IitNet | null = null;
  for (let a = 0; a < maxAttempts; a++) {
    const { model, loss } = await trainIIT(cls, { ...opts, seed: (opts.seed ?? 0) * 1000 + a });
    const score = computesXor(model) ? iia(model, cls) : 0;
    if (!best || score > best.iia) best = { model, cls, attempts: a + 1, iia: score, loss };
    if (score >= (opts.minIia ?? 1)) return best;
  }
  throw new Error(`trainIITNet: no ${cls} net reached IIA ${opts.minIia ?? 1} in ${maxAttempts} attempts (best ${best!.iia.toFixed(2)}); raise steps or maxAttempts.`);
}
