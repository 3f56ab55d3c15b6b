/**
 * Round trip between our plain MLP and a TensorFlow.js LayersModel: Dense (linear) + LeakyReLU(alpha 0.01) per
 * layer (tfjs has no leaky-ReLU activation string, so it is a separate layer). Dense kernels are [in][out]: the
 * transpose of our PyTorch layout [out][in].
 */
import { MLP, LEAKY_SLOPE, validateMLP } from "../model";

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

/** A tf.Sequential computing exactly the MLP's forward pass (`tf` from loadTf). */
export function toLayersModel(mlp: MLP, tf: any): any {
  validateMLP(mlp);
  const s = mlp.layerSizes;
  const model = tf.sequential();
  for (let i = 0; i + 1 < s.length; i++) {
    const dense = tf.layers.dense({ units: s[i + 1], activation: "linear", useBias: true, ...(i === 0 ? { inputShape: [s[0]] } : {}) });
    model.add(dense);
    model.add(tf.layers.leakyReLU({ alpha: LEAKY_SLOPE }));
    const kernel = tf.tensor2d(transpose(mlp.weights[i], s[i + 1], s[i]), [s[i], s[i + 1]]);
    const bias = tf.tensor1d(mlp.biases[i]);
    dense.setWeights([kernel, bias]);
    tf.dispose([kernel, bias]);
  }
  return model;
}

/** Reads an MLP back from a LayersModel of Dense + LeakyReLU(0.01) layers (as toLayersModel builds). */
export function fromLayersModel(model: any, gates: string[] = []): MLP {
  if (!model || !Array.isArray(model.layers)) throw new Error("fromLayersModel: expected a tf.LayersModel (e.g. from toLayersModel or tf.loadLayersModel).");
  const layers: any[] = model.layers;
  const sizes: number[] = [];
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const cls = layer.getClassName();
    if (cls !== "Dense") throw new Error(`fromLayersModel: layer ${i} is ${cls}; only Dense layers each followed by LeakyReLU(alpha 0.01) are supported.`);
    const cfg = layer.getConfig();
    const next = layers[i + 1];
    if (cfg.activation !== "linear" || !next || next.getClassName() !== "LeakyReLU" || Math.fround(next.getConfig().alpha) !== LEAKY_SLOPE)
      throw new Error(`fromLayersModel: Dense layer ${i} must be linear and followed by a LeakyReLU(alpha 0.01) layer (the reference's activation on every layer).`);
    if (!cfg.useBias) throw new Error(`fromLayersModel: Dense layer ${i} has no bias; the MLP needs one per layer.`);
    const [k, b] = layer.getWeights();
    const [nin, nout] = k.shape as number[];
    if (sizes.length === 0) sizes.push(nin);
    else if (sizes[sizes.length - 1] !== nin) throw new Error(`fromLayersModel: Dense layer ${i} takes ${nin} inputs but the previous layer gives ${sizes[sizes.length - 1]}.`);
    sizes.push(nout);
    weights.push(transpose(Float32Array.from(k.dataSync() as Float32Array), nin, nout));
    biases.push(Float32Array.from(b.dataSync() as Float32Array));
    i++; // skip the LeakyReLU
  }
  return validateMLP({ layerSizes: sizes, weights, biases, gates: [...gates] }, "fromLayersModel");
}
