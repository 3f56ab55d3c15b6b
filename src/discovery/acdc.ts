/**
 * ACDC (Conmy et al. 2023) on the MLP's edge graph: start from the full graph; visit the nodes from the output
 * backwards (layer L, then L−1, …); for each incoming edge of the node, in order, remove it for good when the
 * metric's loss with it removed exceeds the current loss by less than τ. A hidden node whose outgoing edges are all
 * gone loses its incoming edges without a test (they cannot reach the output). Ablation and metric as chosen
 * (ablation.ts, metrics.ts); the answer is the kept edge set as a circuit (graph.ts' edgesToCircuit).
 */
import { CircuitMasks, MLP } from "../model";
import { InputError } from "../errors";
import { Ablation, ablatedOutput } from "./ablation";
import { DiscoveryGraph, edgesToCircuit } from "./graph";
import { DiscoveryMetric, DiscoveryTask, metricLoss } from "./metrics";

export interface AcdcOptions {
  tau: number;
  metric: DiscoveryMetric;
}

export interface AcdcResult {
  kept: Uint8Array;
  circuit: CircuitMasks;
  /** Per edge: the loss increase measured when it was tested (−∞ for edges pruned without a test). */
  scores: Float64Array;
  /** Loss of the final edge set under the method's ablation. */
  loss: number;
  /** Ablated runs made. */
  evaluations: number;
}

export function acdc(model: MLP, g: DiscoveryGraph, task: DiscoveryTask, ablation: Ablation, opts: AcdcOptions): AcdcResult {
  if (!(opts.tau >= 0) || !Number.isFinite(opts.tau)) throw new InputError(`acdc: tau (--tau) must be a finite number ≥ 0, got ${opts.tau}.`);
  const sizes = model.layerSizes;
  const L = sizes.length - 1;
  const kept = new Uint8Array(g.edges.length).fill(1);
  const scores = new Float64Array(g.edges.length).fill(-Infinity);
  let evaluations = 1;
  let loss = metricLoss(opts.metric, task, ablatedOutput(model, g, task, ablation, kept));
  for (let l = L; l >= 1; l--) {
    const nin = sizes[l - 1];
    for (let v = 0; v < sizes[l]; v++) {
      const inEdges = Array.from({ length: nin }, (_, j) => g.offsets[l - 1] + v * nin + j);
      let hasOut = l === L;
      for (let o = 0; o < (sizes[l + 1] ?? 0) && !hasOut; o++) hasOut = kept[g.offsets[l] + o * sizes[l] + v] === 1;
      if (!hasOut) {
        for (const e of inEdges) kept[e] = 0;
        continue;
      }
      for (const e of inEdges) {
        kept[e] = 0;
        const trial = metricLoss(opts.metric, task, ablatedOutput(model, g, task, ablation, kept));
        evaluations++;
        scores[e] = trial - loss;
        if (trial - loss < opts.tau) loss = trial;
        else kept[e] = 1;
      }
    }
  }
  // Removing in-edges of a childless node changes nothing downstream, so `loss` is still the final set's loss.
  return { kept, circuit: edgesToCircuit(g, kept), scores, loss, evaluations };
}
