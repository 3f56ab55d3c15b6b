/**
 * The differentiable view of an ablated run, in float64 typed arrays: every edge e = (u → v) carries
 * z_e · a(u) + (1 − z_e) · ā(u), z_e ∈ [0, 1] (z = 1 everywhere: the full model; z = 0: the edge ablated, ā from
 * ablation.ts). EAP and EAP-IG read the gradients at z = 1; the learned masks train z. For binary z the forward
 * pass equals `ablatedOutput` (float32, runWithCache) to float32 rounding — the tests check it, and check the
 * analytic gradients against finite differences.
 */
import { LEAKY_SLOPE, MLP } from "../model";
import { DiscoveryGraph } from "./graph";

export interface MixedPass {
  /** acts[l]: u × width of activation layer l (0 = inputs, L = output). */
  acts: Float64Array[];
  /** pres[l]: pre-activations of layer l (pres[0] unused). */
  pres: Float64Array[];
}

/** Forward pass with edge mixing z (one per edge) between each source's activation and its ablated value. */
export function mixedForward(model: MLP, g: DiscoveryGraph, x: ArrayLike<number>, u: number, ablated: readonly Float32Array[], z: ArrayLike<number>): MixedPass {
  const sizes = model.layerSizes;
  const L = sizes.length - 1;
  const acts: Float64Array[] = [Float64Array.from(x)];
  const pres: Float64Array[] = [acts[0]];
  for (let i = 0; i < L; i++) {
    const nin = sizes[i];
    const nout = sizes[i + 1];
    const W = model.weights[i];
    const b = model.biases[i];
    const a = acts[i];
    const ab = ablated[i];
    const pre = new Float64Array(u * nout);
    for (let r = 0; r < u; r++)
      for (let o = 0; o < nout; o++) {
        let s = b[o];
        for (let j = 0; j < nin; j++) {
          const ze = z[g.offsets[i] + o * nin + j];
          s += W[o * nin + j] * (ze * a[r * nin + j] + (1 - ze) * ab[r * nin + j]);
        }
        pre[r * nout + o] = s;
      }
    const act = pre.map((v) => (v >= 0 ? v : v * LEAKY_SLOPE));
    pres.push(pre);
    acts.push(act);
  }
  return { acts, pres };
}

export interface MixedGradients {
  /** d loss / d z_e, summed over rows. */
  dz: Float64Array;
  /** gPre[l]: d loss / d pre-activation of layer l per row (u × width; gPre[0] unused). */
  gPre: Float64Array[];
}

/** Backward pass of mixedForward, given d loss / d output per row. */
export function mixedBackward(model: MLP, g: DiscoveryGraph, pass: MixedPass, u: number, ablated: readonly Float32Array[], z: ArrayLike<number>, dOut: ArrayLike<number>): MixedGradients {
  const sizes = model.layerSizes;
  const L = sizes.length - 1;
  const dz = new Float64Array(g.edges.length);
  const gPre: Float64Array[] = new Array(L + 1);
  gPre[0] = new Float64Array(0);
  const slope = (v: number) => (v >= 0 ? 1 : LEAKY_SLOPE);
  gPre[L] = Float64Array.from(pass.pres[L], (v, k) => dOut[k] * slope(v));
  for (let i = L - 1; i >= 0; i--) {
    const nin = sizes[i];
    const nout = sizes[i + 1];
    const W = model.weights[i];
    const a = pass.acts[i];
    const ab = ablated[i];
    const gp = gPre[i + 1];
    const gAct = new Float64Array(u * nin);
    for (let o = 0; o < nout; o++)
      for (let j = 0; j < nin; j++) {
        const e = g.offsets[i] + o * nin + j;
        const w = W[o * nin + j];
        let s = 0;
        for (let r = 0; r < u; r++) {
          s += gp[r * nout + o] * w * (a[r * nin + j] - ab[r * nin + j]);
          gAct[r * nin + j] += gp[r * nout + o] * w * z[e];
        }
        dz[e] = s;
      }
    if (i > 0) gPre[i] = Float64Array.from(pass.pres[i], (v, k) => gAct[k] * slope(v));
  }
  return { dz, gPre };
}
