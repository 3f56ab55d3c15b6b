/**
 * Edge attribution patching (Syed, Rager, Conmy 2023) and its integrated-gradients variant EAP-IG (Hanna,
 * Pezzelle, Belinkov 2024). The score of edge e = (u → v) is the first-order estimate of the loss change when e is
 * ablated:
 *
 *   EAP:    s_e = Σ_rows (ā(u) − a(u)) · W[v][u] · ∂loss/∂pre(v)            (gradient on the clean run)
 *   EAP-IG: the same with ∂loss/∂pre(v) averaged over the inputs x_k = x̃ + (k/m)(x − x̃), k = 1 … m, x̃ being the
 *           ablation's corrupted input (0, the mean input, or the resampled row; ablation.ts)
 *
 * from one clean forward pass, one ablated pass (the ā) and one (EAP) or m (EAP-IG) backward passes (gradients.ts).
 * Edges are ranked by |s_e|; the answer keeps the top k (or every edge with |s_e| ≥ threshold) as a circuit.
 */
import { CircuitMasks, MLP } from "../model";
import { InputError } from "../errors";
import { Ablation } from "./ablation";
import { mixedBackward, mixedForward } from "./gradients";
import { DiscoveryGraph, edgesToCircuit } from "./graph";
import { DiscoveryMetric, DiscoveryTask, metricGradient } from "./metrics";

export interface EapOptions {
  metric: DiscoveryMetric;
  /** EAP-IG's interpolation steps; absent or 0: plain EAP. */
  steps?: number;
}

/** The signed scores s_e of every edge (estimated loss change when the edge alone is ablated). */
export function eapScores(model: MLP, g: DiscoveryGraph, task: DiscoveryTask, ablation: Ablation, opts: EapOptions): Float64Array {
  const steps = opts.steps ?? 0;
  if (!Number.isInteger(steps) || steps < 0) throw new InputError(`eap-ig: steps (--steps) must be a whole number ≥ 1, got ${opts.steps}.`);
  const sizes = model.layerSizes;
  const L = sizes.length - 1;
  const ones = new Float64Array(g.edges.length).fill(1);
  const clean = mixedForward(model, g, task.x, task.u, ablation.activations, ones);
  // Gradients w.r.t. each pre-activation, at the clean input or averaged along the path from the corrupted one.
  const points = steps === 0 ? [1] : Array.from({ length: steps }, (_, k) => (k + 1) / steps);
  const gPre = sizes.map((s) => new Float64Array(task.u * s));
  for (const alpha of points) {
    const x = alpha === 1 ? task.x : Float64Array.from(task.x, (v, k) => ablation.corruptInputs[k] + alpha * (v - ablation.corruptInputs[k]));
    const pass = alpha === 1 ? clean : mixedForward(model, g, x, task.u, ablation.activations, ones);
    const grads = mixedBackward(model, g, pass, task.u, ablation.activations, ones, metricGradient(opts.metric, task, pass.acts[L]));
    for (let l = 1; l <= L; l++) for (let k = 0; k < gPre[l].length; k++) gPre[l][k] += grads.gPre[l][k] / points.length;
  }
  const scores = new Float64Array(g.edges.length);
  for (const e of g.edges) {
    const nin = sizes[e.layer];
    const nout = sizes[e.layer + 1];
    const w = model.weights[e.layer][e.at];
    let s = 0;
    for (let r = 0; r < task.u; r++)
      s += (ablation.activations[e.layer][r * nin + e.from] - clean.acts[e.layer][r * nin + e.from]) * w * gPre[e.layer + 1][r * nout + e.to];
    scores[e.id] = s;
  }
  return scores;
}

/** The edges kept: the `topK` largest |score| (ties: lower edge id first), or every |score| ≥ `threshold`. */
export function selectEdges(scores: ArrayLike<number>, sel: { topK?: number; threshold?: number }): Uint8Array {
  const n = scores.length;
  const kept = new Uint8Array(n);
  if ((sel.topK === undefined) === (sel.threshold === undefined)) throw new InputError("eap: give either topK (--top-k) or threshold (--threshold).");
  if (sel.topK !== undefined) {
    if (!Number.isInteger(sel.topK) || sel.topK < 0) throw new InputError(`eap: top-k (--top-k) must be a whole number ≥ 0, got ${sel.topK}.`);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(scores[b]) - Math.abs(scores[a]) || a - b);
    for (const i of order.slice(0, sel.topK)) kept[i] = 1;
  } else {
    if (!(sel.threshold! >= 0)) throw new InputError(`eap: threshold (--threshold) must be a number ≥ 0, got ${sel.threshold}.`);
    for (let i = 0; i < n; i++) kept[i] = Math.abs(scores[i]) >= sel.threshold! ? 1 : 0;
  }
  return kept;
}

export interface EapResult {
  scores: Float64Array;
  kept: Uint8Array;
  circuit: CircuitMasks;
}

/** EAP (steps 0) or EAP-IG (steps m): scores, then the top-k or thresholded edges as a circuit. */
export function eap(model: MLP, g: DiscoveryGraph, task: DiscoveryTask, ablation: Ablation, opts: EapOptions & { topK?: number; threshold?: number }): EapResult {
  const scores = eapScores(model, g, task, ablation, opts);
  const kept = selectEdges(scores, opts);
  return { scores, kept, circuit: edgesToCircuit(g, kept) };
}
