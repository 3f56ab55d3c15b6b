/** Model initialisation (SPEC 3.1). */
import { MLP, validateMLP } from "../model";
import { Rng, deriveSeed } from "../rng";

/** PyTorch default initialisation: weights and biases ~ U(±1/sqrt(fan_in)), from a seeded stream. */
export function initMLP(layerSizes: readonly number[], gates: readonly string[], seed: number): MLP {
  if (!Array.isArray(layerSizes) || layerSizes.length < 2 || layerSizes.some((v) => !Number.isInteger(v) || v <= 0))
    throw new Error(`initMLP: layerSizes must be at least two positive integers like [2, 3, 3, 1], got ${JSON.stringify(layerSizes)}.`);
  if (!Number.isFinite(seed)) throw new Error(`initMLP: seed must be a finite number, got ${seed}.`);
  const rng = new Rng(deriveSeed(seed, "init"));
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  // nn.Linear.reset_parameters, layer by layer: the weight (kaiming_uniform(a=√5) = U(±1/√fan_in)), then the bias.
  for (let i = 0; i + 1 < layerSizes.length; i++) {
    const bound = 1 / Math.sqrt(layerSizes[i]);
    const w = new Float32Array(layerSizes[i + 1] * layerSizes[i]);
    for (let j = 0; j < w.length; j++) w[j] = rng.uniform(-bound, bound);
    const b = new Float32Array(layerSizes[i + 1]);
    for (let j = 0; j < b.length; j++) b[j] = rng.uniform(-bound, bound);
    weights.push(w);
    biases.push(b);
  }
  return validateMLP({ layerSizes: [...layerSizes], weights, biases, gates: [...gates] }, "initMLP");
}
