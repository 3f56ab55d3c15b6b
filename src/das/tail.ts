/**
 * The part of an MLP after a hidden layer (its "tail"), in float64 with its backward pass: what DAS trains the
 * rotation through. Layer l's post-activations h go through weights l … L−1 with LeakyReLU(0.01) after each, as
 * forward.ts; the loss reads one output's pre-activation (the output is > 0.5 exactly when it is). Evaluation never
 * uses this pass: IIA is measured through runWithCache's `set` intervention in float32.
 */
import { InputError } from "../errors";
import { LEAKY_SLOPE, MLP } from "../model";

export interface Tail {
  /** Hidden layer (activation index 1 … L−1) whose post-activations the tail reads. */
  layer: number;
  output: number;
  /** Widths from layer `layer` to the output. */
  sizes: number[];
  weights: Float64Array[];
  biases: Float64Array[];
}

/** The tail of `model` after hidden layer `layer`, reading output `output`. */
export function modelTail(model: MLP, layer: number, output = 0): Tail {
  const L = model.layerSizes.length - 1;
  if (!Number.isInteger(layer) || layer < 1 || layer >= L) throw new InputError(`DAS: layer must be a hidden layer 1…${L - 1} of layer_sizes ${JSON.stringify(model.layerSizes)}, got ${layer}.`);
  const nOut = model.layerSizes[L];
  if (!Number.isInteger(output) || output < 0 || output >= nOut) throw new InputError(`DAS: output ${output} does not exist; the model has ${nOut} output(s) (0…${nOut - 1}).`);
  return {
    layer,
    output,
    sizes: model.layerSizes.slice(layer),
    weights: model.weights.slice(layer).map((w) => Float64Array.from(w)),
    biases: model.biases.slice(layer).map((b) => Float64Array.from(b)),
  };
}

/** Margin scale of the counterfactual loss softplus(−κ·(2y−1)·(pre − 0.5)). */
export const LOSS_SCALE = 10;

/** The output pre-activation on hidden vector h (length sizes[0]). */
export function tailPre(t: Tail, h: ArrayLike<number>): number {
  let a: ArrayLike<number> = h;
  let pre = 0;
  for (let i = 0; i < t.weights.length; i++) {
    const nin = t.sizes[i];
    const nout = t.sizes[i + 1];
    const last = i === t.weights.length - 1;
    const next = new Float64Array(nout);
    for (let o = last ? t.output : 0; o < (last ? t.output + 1 : nout); o++) {
      let s = t.biases[i][o];
      for (let j = 0; j < nin; j++) s += t.weights[i][o * nin + j] * a[j];
      if (last) pre = s;
      next[o] = s >= 0 ? s : s * LEAKY_SLOPE;
    }
    a = next;
  }
  return pre;
}

/**
 * Counterfactual loss of one example and its gradient with respect to h (written into `gradH`): softplus of the
 * negative scaled margin, so that a correct side of 0.5 with room to spare costs almost nothing.
 */
export function tailLossGrad(t: Tail, h: ArrayLike<number>, label: number, gradH: Float64Array): { loss: number; margin: number } {
  const pres: Float64Array[] = [];
  let a: ArrayLike<number> = h;
  for (let i = 0; i < t.weights.length; i++) {
    const nin = t.sizes[i];
    const nout = t.sizes[i + 1];
    const pre = new Float64Array(nout);
    const next = new Float64Array(nout);
    for (let o = 0; o < nout; o++) {
      let s = t.biases[i][o];
      for (let j = 0; j < nin; j++) s += t.weights[i][o * nin + j] * a[j];
      pre[o] = s;
      next[o] = s >= 0 ? s : s * LEAKY_SLOPE;
    }
    pres.push(pre);
    a = next;
  }
  const sign = label ? 1 : -1;
  const margin = sign * (pres[pres.length - 1][t.output] - 0.5);
  const z = -LOSS_SCALE * margin;
  const loss = z > 30 ? z : Math.log1p(Math.exp(z));
  // d softplus(z)/d pre = σ(z) · (−κ · sign)
  let g: Float64Array = new Float64Array(t.sizes[t.sizes.length - 1]);
  g[t.output] = (-LOSS_SCALE * sign) / (1 + Math.exp(-z));
  for (let i = t.weights.length - 1; i >= 0; i--) {
    const nin = t.sizes[i];
    const nout = t.sizes[i + 1];
    const gIn = i === 0 ? gradH : new Float64Array(nin);
    if (i === 0) gIn.fill(0);
    for (let o = 0; o < nout; o++) {
      // The output's own LeakyReLU is skipped: the loss reads its pre-activation.
      const go = i === t.weights.length - 1 ? g[o] : g[o] * (pres[i][o] >= 0 ? 1 : LEAKY_SLOPE);
      if (go === 0) continue;
      for (let j = 0; j < nin; j++) gIn[j] += t.weights[i][o * nin + j] * go;
    }
    g = gIn;
  }
  return { loss, margin };
}
