/**
 * The TensorFlow.js engine: the same math as the fast engine with tf ops. Forward act(x·Wᵀ + b) with weights kept
 * in PyTorch layout [out][in]; MSE mean over rows and outputs; gradients by tf.variableGrads; AdamW (or plain Adam)
 * written out (tfjs has no AdamW) with torch's formulas (see adamw.ts). Batches come from the same row order as the fast engine.
 */
import { MLP, LEAKY_SLOPE, cloneMLP } from "../model";
import { Dataset } from "../tasks";
import { EpochRunner, ResolvedOptions } from "./loop";

export function tfjsRunner(tf: any, init: MLP, train: Dataset, o: ResolvedOptions): EpochRunner {
  const sizes = init.layerSizes;
  const L = sizes.length - 1;
  const nIn = sizes[0];
  const nOut = sizes[L];
  // tidy disposes the initial-value tensors; variables survive it.
  const W: any[] = init.weights.map((w, i) => tf.tidy(() => tf.variable(tf.tensor2d(w, [sizes[i + 1], sizes[i]], "float32"))));
  const B: any[] = init.biases.map((b) => tf.tidy(() => tf.variable(tf.tensor1d(b, "float32"))));
  const params = [...W, ...B];
  const M = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p))));
  const V = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p))));
  let t = 0;
  const bs = o.batchSize;

  function forward(x: any): any {
    let h = x;
    for (let l = 0; l < L; l++) h = tf.leakyRelu(tf.add(tf.matMul(h, W[l], false, true), B[l]), LEAKY_SLOPE);
    return h;
  }

  function step(xb: any, yb: any): any {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(forward(xb), yb))), params);
    t++;
    const bc1 = 1 - Math.pow(o.beta1, t);
    const bc2sqrt = Math.sqrt(1 - Math.pow(o.beta2, t));
    tf.tidy(() => {
      params.forEach((p: any, i: number) => {
        // plain Adam adds its (L2) decay to the gradient; AdamW decays the weights (decoupled, below)
        const g = o.optimizer === "adam" && o.weightDecay !== 0 ? tf.add(grads[p.name], tf.mul(p, o.weightDecay)) : grads[p.name];
        const m = tf.add(M[i], tf.mul(tf.sub(g, M[i]), 1 - o.beta1));
        const v = tf.add(tf.mul(V[i], o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
        M[i].assign(m);
        V[i].assign(v);
        const decayed = o.optimizer === "adam" ? p : tf.mul(p, 1 - o.lr * o.weightDecay);
        const denom = tf.add(tf.div(tf.sqrt(v), bc2sqrt), o.eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), o.lr / bc1)));
      });
    });
    tf.dispose(Object.values(grads));
    return value;
  }

  function runEpoch(order: Uint32Array): Float64Array {
    const n = train.n;
    const nBatches = Math.ceil(n / bs);
    const lossTensors: any[] = [];
    for (let bi = 0; bi < nBatches; bi++) {
      const from = bi * bs;
      const to = Math.min(n, from + bs);
      const rows = to - from;
      const xb = new Float32Array(rows * nIn);
      const yb = new Float32Array(rows * nOut);
      for (let k = 0; k < rows; k++) {
        const r = order[from + k];
        xb.set(train.x.subarray(r * nIn, (r + 1) * nIn), k * nIn);
        yb.set(train.y.subarray(r * nOut, (r + 1) * nOut), k * nOut);
      }
      const xt = tf.tensor2d(xb, [rows, nIn]);
      const yt = tf.tensor2d(yb, [rows, nOut]);
      lossTensors.push(step(xt, yt));
      tf.dispose([xt, yt]);
    }
    // One read per epoch (each read synchronises with the backend).
    const stacked = tf.stack(lossTensors);
    const losses = Float64Array.from(stacked.dataSync() as Float32Array);
    tf.dispose([stacked, ...lossTensors]);
    return losses;
  }

  function model(): MLP {
    const m = cloneMLP(init);
    W.forEach((w, i) => m.weights[i].set(w.dataSync()));
    B.forEach((b, i) => m.biases[i].set(b.dataSync()));
    return m;
  }

  return { runEpoch, model, dispose: () => tf.dispose([...params, ...M, ...V]) };
}
