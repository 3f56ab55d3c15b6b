/**
 * AdamW exactly as torch.optim.AdamW (single-tensor path, amsgrad off) computes it, on Float32Array parameters:
 *   p ← p·(1 − lr·wd)                       (decoupled weight decay, before the Adam step; AdamW only)
 *   g ← g + wd·p                             (plain Adam's coupled L2 term instead, torch.optim.Adam; none at wd 0)
 *   m ← m + (g − m)·(1 − β1)                 (exp_avg.lerp_)
 *   v ← v·β2 + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * Every stored value is rounded to float32, as the float32 tensors are.
 */
export interface AdamWHyper {
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** "adamw" (default): decoupled weight decay; "adam": torch.optim.Adam, the decay added to the gradient. */
  optimizer?: Optimizer;
}

export type Optimizer = "adamw" | "adam";

export class AdamW {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(private readonly params: Float32Array[], private readonly h: AdamWHyper) {
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
  }

  /** One step with gradients aligned with the parameter arrays. */
  step(grads: ArrayLike<number>[]): void {
    const { lr, weightDecay, beta1, beta2, eps } = this.h;
    this.t++;
    const coupled = this.h.optimizer === "adam";
    const decay = coupled ? 1 : 1 - lr * weightDecay;
    const l2 = coupled ? weightDecay : 0;
    const bc1 = 1 - Math.pow(beta1, this.t);
    const bc2sqrt = Math.sqrt(1 - Math.pow(beta2, this.t));
    const stepSize = lr / bc1;
    const w1 = 1 - beta1;
    const w2 = 1 - beta2;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const m = this.m[i];
      const v = this.v[i];
      const g = grads[i];
      if (decay === 1 && l2 === 0 && g instanceof Float64Array) {
        adamUpdate(p, m, v, g, stepSize, bc2sqrt, beta2, w1, w2, eps);
        continue;
      }
      for (let j = 0; j < p.length; j++) {
        const gj = l2 === 0 ? Math.fround(g[j]) : Math.fround(Math.fround(g[j]) + Math.fround(l2 * p[j]));
        if (decay !== 1) p[j] = p[j] * decay;
        m[j] = m[j] + (gj - m[j]) * w1;
        v[j] = v[j] * beta2 + w2 * gj * gj;
        p[j] = p[j] - (stepSize * m[j]) / (Math.sqrt(v[j]) / bc2sqrt + eps);
      }
    }
  }
}

/** The loop of step() without weight decay on typed arrays (plain Adam, the fast engine): the same operations, monomorphic. */
function adamUpdate(p: Float32Array, m: Float32Array, v: Float32Array, g: Float64Array, stepSize: number, bc2sqrt: number, beta2: number, w1: number, w2: number, eps: number): void {
  for (let j = 0; j < p.length; j++) {
    const gj = Math.fround(g[j]);
    // the stored (float32) moments are what the update reads, as in step()
    const mj = Math.fround(m[j] + (gj - m[j]) * w1);
    const vj = Math.fround(v[j] * beta2 + w2 * gj * gj);
    m[j] = mj;
    v[j] = vj;
    p[j] = p[j] - (stepSize * mj) / (Math.sqrt(vj) / bc2sqrt + eps);
  }
}
