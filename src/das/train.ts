/**
 * Distributed alignment search (Geiger et al. 2023), the training step: a rotation R of one hidden layer (Givens
 * angles, rotation.ts) and, for each high-level variable, a block of rotated coordinates. An interchange on variable
 * v replaces the block's coordinates of the base run by the source run's, h' = h_b + Rᵀ M_v R (h_s − h_b) with M_v
 * the block's 0/1 mask, and R is trained so that the network's output on h' (tail.ts) is the high-level model's
 * counterfactual label. Boundless DAS (Wu et al. 2023) learns each block's size: variable v owns a region of the
 * rotated coordinates and a soft mask σ((β_v − i − ½)/τ) over it, with τ annealed and a penalty on Σ β_v; the final
 * block keeps round(β_v) coordinates. Full-batch Adam; everything in float64, same seed → same numbers.
 */
import { InputError } from "../errors";
import { Rng } from "../rng";
import { anglesGradient, nAngles, randomAngles, rotationFromAngles } from "./rotation";
import { Tail, tailLossGrad } from "./tail";

/** Counterfactual training (or test) examples at one layer: base and source activations, variable, label. */
export interface DasExamples {
  /** Layer width. */
  d: number;
  n: number;
  /** n × d post-activations of the base inputs. */
  hBase: Float64Array;
  /** n × d post-activations of the source inputs. */
  hSource: Float64Array;
  /** Intervened variable of each example (0 … nVariables − 1). */
  variable: Int32Array;
  /** High-level counterfactual output (0/1). */
  label: Uint8Array;
  nVariables: number;
}

export interface DasTrainOptions {
  /** Rotated coordinates per variable (default ⌊d / nVariables⌋ each); with `boundless`, the largest sizes. */
  blockSizes?: number[];
  /** Learn the block sizes (Boundless DAS). */
  boundless?: boolean;
  /** Penalty on the learned sizes (sum of β_v / d), default 0.5. */
  boundlessPenalty?: number;
  /** Adam steps (default 300). */
  steps?: number;
  /** Adam learning rate on the angles (default 0.05). */
  lr?: number;
  /** Seed of the starting angles. */
  seed?: number;
}

export interface DasFit {
  d: number;
  theta: number[];
  /** R, row-major d × d: rotated coordinates z = R h. */
  rotation: number[];
  /** Rotated coordinates of each variable's block. */
  blocks: number[][];
  /** Final mean loss and training accuracy with the hard blocks. */
  loss: number;
  trainAccuracy: number;
  steps: number;
}

/** The default block layout: ⌊d / k⌋ consecutive coordinates per variable, the rest unused. */
export function defaultBlockSizes(d: number, nVariables: number): number[] {
  if (nVariables > d) throw new InputError(`DAS: ${nVariables} variables need at least ${nVariables} coordinates but the layer has ${d}; choose a wider layer or a formula with fewer variables.`);
  return new Array(nVariables).fill(Math.floor(d / nVariables));
}

/** Consecutive blocks of the given sizes, from coordinate 0. */
export function consecutiveBlocks(sizes: readonly number[]): number[][] {
  let at = 0;
  return sizes.map((s) => Array.from({ length: s }, () => at++));
}

function checkExamples(ex: DasExamples): void {
  const { d, n } = ex;
  if (!Number.isInteger(d) || d < 1 || !Number.isInteger(n) || n < 1) throw new InputError(`DAS: examples need a positive width and count, got d = ${d}, n = ${n}.`);
  if (ex.hBase.length !== n * d || ex.hSource.length !== n * d || ex.variable.length !== n || ex.label.length !== n)
    throw new InputError(`DAS: examples must hold n × d activations (n = ${n}, d = ${d}) and n variables and labels.`);
  for (const v of ex.variable) if (!(v >= 0 && v < ex.nVariables)) throw new InputError(`DAS: example variable ${v} is outside 0…${ex.nVariables - 1}.`);
}

/** Masks (one d-vector per variable) of hard blocks. */
function hardMasks(d: number, blocks: readonly number[][]): Float64Array[] {
  return blocks.map((b) => {
    const m = new Float64Array(d);
    for (const i of b) m[i] = 1;
    return m;
  });
}

/**
 * One pass over the examples: mean loss, accuracy, and (when `grad` is given) ∂loss/∂R and ∂loss/∂mask_v.
 * h' = h_b + Rᵀ (m ⊙ R δ), δ = h_s − h_b; with u = R δ, w = m ⊙ u, g = ∂L/∂h', q = R g:
 * ∂L/∂R = w gᵀ + (m ⊙ q) δᵀ and ∂L/∂m = u ⊙ q.
 */
export function dasPass(tail: Tail, ex: DasExamples, R: Float64Array, masks: readonly Float64Array[], grad?: { R: Float64Array; masks: Float64Array[] }): { loss: number; accuracy: number; minMargin: number } {
  const d = ex.d;
  const delta = new Float64Array(d);
  const u = new Float64Array(d);
  const h = new Float64Array(d);
  const g = new Float64Array(d);
  const q = new Float64Array(d);
  let loss = 0;
  let ok = 0;
  let minMargin = Infinity;
  for (let e = 0; e < ex.n; e++) {
    const m = masks[ex.variable[e]];
    for (let i = 0; i < d; i++) delta[i] = ex.hSource[e * d + i] - ex.hBase[e * d + i];
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += R[a * d + i] * delta[i];
      u[a] = s;
    }
    for (let i = 0; i < d; i++) {
      let s = ex.hBase[e * d + i];
      for (let a = 0; a < d; a++) s += R[a * d + i] * m[a] * u[a];
      h[i] = s;
    }
    const r = tailLossGrad(tail, h, ex.label[e], g);
    loss += r.loss;
    if (r.margin > 0) ok++;
    if (r.margin < minMargin) minMargin = r.margin;
    if (!grad) continue;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += R[a * d + i] * g[i];
      q[a] = s;
    }
    const gm = grad.masks[ex.variable[e]];
    for (let a = 0; a < d; a++) {
      const wa = m[a] * u[a];
      const qa = m[a] * q[a];
      gm[a] += (u[a] * q[a]) / ex.n;
      if (wa === 0 && qa === 0) continue;
      for (let i = 0; i < d; i++) grad.R[a * d + i] += (wa * g[i] + qa * delta[i]) / ex.n;
    }
  }
  return { loss: loss / ex.n, accuracy: ok / ex.n, minMargin };
}

/** h' rows (n × d, float32: what a `set` intervention writes) of the examples under R and hard blocks. */
export function rotatedInterchangeRows(ex: DasExamples, R: ArrayLike<number>, blocks: readonly number[][]): Float32Array {
  const d = ex.d;
  const out = new Float32Array(ex.n * d);
  const u = new Float64Array(d);
  for (let e = 0; e < ex.n; e++) {
    const blk = blocks[ex.variable[e]];
    for (const a of blk) {
      let s = 0;
      for (let i = 0; i < d; i++) s += R[a * d + i] * (ex.hSource[e * d + i] - ex.hBase[e * d + i]);
      u[a] = s;
    }
    for (let i = 0; i < d; i++) {
      let s = ex.hBase[e * d + i];
      for (const a of blk) s += R[a * d + i] * u[a];
      out[e * d + i] = s;
    }
  }
  return out;
}

class Adam {
  private m: Float64Array;
  private v: Float64Array;
  private t = 0;
  lr: number;
  constructor(n: number, lr: number) {
    this.lr = lr;
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  step(x: Float64Array, g: ArrayLike<number>): void {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    for (let i = 0; i < x.length; i++) {
      this.m[i] = b1 * this.m[i] + (1 - b1) * g[i];
      this.v[i] = b2 * this.v[i] + (1 - b2) * g[i] * g[i];
      const mh = this.m[i] / (1 - Math.pow(b1, this.t));
      const vh = this.v[i] / (1 - Math.pow(b2, this.t));
      x[i] -= (this.lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
}

/**
 * Trains one rotation (one restart) on the examples. Stops early once every example is right by a margin of 0.1, or
 * on a plateau.
 */
export function trainDas(tail: Tail, ex: DasExamples, opts: DasTrainOptions = {}): DasFit {
  checkExamples(ex);
  const d = ex.d;
  if (tail.sizes[0] !== d) throw new InputError(`DAS: the examples are ${d} wide but the layer has ${tail.sizes[0]} units.`);
  const sizes = opts.blockSizes ?? defaultBlockSizes(d, ex.nVariables);
  if (sizes.length !== ex.nVariables || sizes.some((s) => !Number.isInteger(s) || s < 1) || sizes.reduce((a, b) => a + b, 0) > d)
    throw new InputError(`DAS: blockSizes must give one positive size per variable (${ex.nVariables}) summing to at most the width ${d}, got ${JSON.stringify(sizes)}.`);
  const steps = opts.steps ?? 300;
  const lr = opts.lr ?? 0.05;
  if (!Number.isInteger(steps) || steps < 1) throw new InputError(`DAS: steps must be a positive integer, got ${opts.steps}.`);
  if (!(lr > 0)) throw new InputError(`DAS: lr must be positive, got ${opts.lr}.`);
  const rng = new Rng(opts.seed ?? 0);
  const theta = randomAngles(d, rng);
  const adam = new Adam(nAngles(d), lr);
  const regions = consecutiveBlocks(sizes);
  const boundless = opts.boundless ?? false;
  const penalty = opts.boundlessPenalty ?? 0.5;
  const beta = Float64Array.from(sizes); // start from the whole region
  const betaAdam = new Adam(beta.length, 0.05);
  const anneal = Math.floor(steps * 0.8);
  let blocks = regions;
  let step = 0;
  let bestLoss = Infinity;
  let bestStep = 0;
  const softMasks = (tau: number) =>
    regions.map((reg, v) => {
      const m = new Float64Array(d);
      reg.forEach((a, i) => (m[a] = 1 / (1 + Math.exp(-(beta[v] - i - 0.5) / tau))));
      return m;
    });
  for (; step < steps; step++) {
    const R = rotationFromAngles(theta, d);
    const tau = boundless ? Math.max(0.05, 1 - step / Math.max(1, anneal)) : 0;
    const masks = boundless ? softMasks(tau) : hardMasks(d, blocks);
    // Cosine decay to a tenth of lr: late steps settle instead of oscillating around a solution.
    adam.lr = lr * (0.1 + 0.45 * (1 + Math.cos((Math.PI * step) / steps)));
    const grad = { R: new Float64Array(d * d), masks: masks.map(() => new Float64Array(d)) };
    const r = dasPass(tail, ex, R, masks, grad);
    if (!boundless && r.minMargin > 0.1) break;
    // A plateau (no 0.1 % improvement in 60 steps) ends the restart: another start is the better use of time.
    if (r.loss < bestLoss * 0.999) {
      bestLoss = r.loss;
      bestStep = step;
    } else if (!boundless && step - bestStep >= 60) break;
    adam.step(theta, anglesGradient(theta, d, grad.R));
    if (boundless) {
      const gb = Float64Array.from(beta, (_b, v) => {
        let s = penalty / d;
        for (const a of regions[v]) s += (grad.masks[v][a] * masks[v][a] * (1 - masks[v][a])) / tau;
        return s;
      });
      betaAdam.step(beta, gb);
      beta.forEach((b, v) => (beta[v] = Math.min(regions[v].length, Math.max(0.5, b))));
    }
  }
  if (boundless) blocks = regions.map((reg, v) => reg.slice(0, Math.min(reg.length, Math.max(1, Math.round(beta[v])))));
  const R = rotationFromAngles(theta, d);
  const fin = dasPass(tail, ex, R, hardMasks(d, blocks));
  return { d, theta: Array.from(theta), rotation: Array.from(R), blocks, loss: fin.loss, trainAccuracy: fin.accuracy, steps: step };
}
