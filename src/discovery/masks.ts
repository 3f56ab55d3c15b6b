/**
 * Learned masks with the hard-concrete distribution and an L0 penalty (Louizos, Welling, Kingma 2018):
 * - `nodes`: subnetwork probing (Cao, Sanh, Rush 2021): one mask per hidden neuron, shared by its outgoing edges;
 * - `edges`: edge pruning (Bhaskar et al. 2024): one mask per edge.
 *
 * A mask z ∈ [0, 1] mixes each edge's source activation with its ablated value (gradients.ts). Per step, z is drawn
 * as z = clamp(σ((log U − log(1 − U) + log α)/β)·(ζ − γ) + γ, 0, 1), U ~ Uniform(0, 1) from the seeded stream, and
 * log α moves by Adam on  loss(z) + λ · mean_i P(z_i ≠ 0),  P(z_i ≠ 0) = σ(log α_i − β log(−γ/ζ)) (the penalty is
 * the expected fraction of masks kept, so one λ means the same on every width). β = 2/3, γ = −0.1, ζ = 1.1; log α
 * starts at 5 (each mask is exactly 1 with probability 0.97: the full network; from 3, one draw in five is below 1
 * and Adam's normalised steps let edges without effect drift out even at λ = 0). The answer keeps the masks whose deterministic value
 * clamp(σ(log α)(ζ − γ) + γ, 0, 1) exceeds 0.5; log α is each mask's score.
 */
import { CircuitMasks, MLP } from "../model";
import { Rng, deriveSeed } from "../rng";
import { InputError } from "../errors";
import { Ablation } from "./ablation";
import { mixedBackward, mixedForward } from "./gradients";
import { DiscoveryGraph, edgesToCircuit } from "./graph";
import { DiscoveryMetric, DiscoveryTask, metricGradient, metricLoss } from "./metrics";

export const MASK_KINDS = ["nodes", "edges"] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

export interface MaskOptions {
  kind: MaskKind;
  lambda: number;
  metric: DiscoveryMetric;
  seed?: number;
  /** Adam steps (default 300). */
  steps?: number;
  /** Adam learning rate on log α (default 0.1). */
  lr?: number;
  /** Initial log α (default 5). */
  initLogAlpha?: number;
}

export interface MaskResult {
  kept: Uint8Array;
  circuit: CircuitMasks;
  /** Per edge: its mask's final log α (for nodes: the source neuron's; +∞ for edges out of inputs). */
  scores: Float64Array;
  /** Final deterministic mask values, one per mask unit (edges or hidden neurons). */
  masks: Float64Array;
  /** loss(z) + λ·penalty at each step (for plots). */
  trace: Float64Array;
}

const BETA = 2 / 3;
const GAMMA = -0.1;
const ZETA = 1.1;
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export function learnMasks(model: MLP, g: DiscoveryGraph, task: DiscoveryTask, ablation: Ablation, opts: MaskOptions): MaskResult {
  if (!(MASK_KINDS as readonly string[]).includes(opts.kind)) throw new InputError(`masks: kind must be one of ${MASK_KINDS.join(", ")}, got ${JSON.stringify(opts.kind)}.`);
  if (!(opts.lambda >= 0) || !Number.isFinite(opts.lambda)) throw new InputError(`masks: lambda (--lambda) must be a finite number ≥ 0, got ${opts.lambda}.`);
  const steps = opts.steps ?? 300;
  if (!Number.isInteger(steps) || steps < 0) throw new InputError(`masks: steps must be a whole number ≥ 0, got ${opts.steps}.`);
  const lr = opts.lr ?? 0.1;
  const sizes = model.layerSizes;
  const L = sizes.length - 1;
  // Mask unit of each edge: itself (edges) or its hidden source neuron (nodes; −1 for edges out of the inputs).
  const hiddenStart: number[] = [];
  let nHidden = 0;
  for (let l = 0; l <= L; l++) {
    hiddenStart.push(nHidden);
    if (l >= 1 && l < L) nHidden += sizes[l];
  }
  const unitOf = g.edges.map((e) => (opts.kind === "edges" ? e.id : e.layer >= 1 ? hiddenStart[e.layer] + e.from : -1));
  const nUnits = opts.kind === "edges" ? g.edges.length : nHidden;
  const logAlpha = new Float64Array(nUnits).fill(opts.initLogAlpha ?? 5);
  const m1 = new Float64Array(nUnits);
  const m2 = new Float64Array(nUnits);
  const rng = new Rng(deriveSeed(opts.seed ?? 0, "hard-concrete"));
  const z = new Float64Array(g.edges.length).fill(1);
  const trace = new Float64Array(steps);
  const shift = BETA * Math.log(-GAMMA / ZETA);
  for (let t = 0; t < steps; t++) {
    const zu = new Float64Array(nUnits);
    const dzdla = new Float64Array(nUnits);
    for (let i = 0; i < nUnits; i++) {
      const uu = Math.min(1 - 1e-7, Math.max(1e-7, rng.double()));
      const s = sigmoid((Math.log(uu) - Math.log(1 - uu) + logAlpha[i]) / BETA);
      const sb = s * (ZETA - GAMMA) + GAMMA;
      zu[i] = Math.min(1, Math.max(0, sb));
      dzdla[i] = sb > 0 && sb < 1 ? ((ZETA - GAMMA) * s * (1 - s)) / BETA : 0;
    }
    for (let e = 0; e < z.length; e++) z[e] = unitOf[e] < 0 ? 1 : zu[unitOf[e]];
    const pass = mixedForward(model, g, task.x, task.u, ablation.activations, z);
    const out = pass.acts[L];
    const { dz } = mixedBackward(model, g, pass, task.u, ablation.activations, z, metricGradient(opts.metric, task, out));
    const grad = new Float64Array(nUnits);
    for (let e = 0; e < z.length; e++) if (unitOf[e] >= 0) grad[unitOf[e]] += dz[e];
    let penalty = 0;
    for (let i = 0; i < nUnits; i++) {
      const p = sigmoid(logAlpha[i] - shift);
      penalty += p / nUnits;
      grad[i] = grad[i] * dzdla[i] + (opts.lambda * p * (1 - p)) / nUnits;
      // Adam (β1 0.9, β2 0.999, ε 1e-8).
      m1[i] = 0.9 * m1[i] + 0.1 * grad[i];
      m2[i] = 0.999 * m2[i] + 0.001 * grad[i] * grad[i];
      const mh = m1[i] / (1 - 0.9 ** (t + 1));
      const vh = m2[i] / (1 - 0.999 ** (t + 1));
      logAlpha[i] -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
    trace[t] = metricLoss(opts.metric, task, out) + opts.lambda * penalty;
  }
  const masks = Float64Array.from(logAlpha, (la) => Math.min(1, Math.max(0, sigmoid(la) * (ZETA - GAMMA) + GAMMA)));
  const kept = new Uint8Array(g.edges.length);
  const scores = new Float64Array(g.edges.length);
  for (let e = 0; e < kept.length; e++) {
    kept[e] = unitOf[e] < 0 ? 1 : masks[unitOf[e]] > 0.5 ? 1 : 0;
    scores[e] = unitOf[e] < 0 ? Infinity : logAlpha[unitOf[e]];
  }
  return { kept, circuit: edgesToCircuit(g, kept), scores, masks, trace };
}
