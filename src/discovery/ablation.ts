/**
 * What a removed edge carries (the ablation), and the one way an edge set is run: `runWithCache` with the edge set
 * as circuit masks (the removed edges read 0, as in the exhaustive search) plus, for mean and resample ablation, an
 * `add` intervention at each target layer's `hook_pre` that puts back Σ_removed W[v][u] · ā(u), ā being the
 * ablated activation of the source:
 *
 * - `zero`: ā = 0 (exactly the exhaustive search's zero ablation, SPEC 4.2);
 * - `mean`: ā(u) = the full model's mean activation of u over the task's rows (weighted by frequency);
 * - `resample`: ā(u) on row r = u's activation in the full model on another row s(r) ≠ r, drawn once with the seed
 *   (ACDC's corrupted input).
 *
 * `corruptInputs` is the input EAP-IG interpolates from: 0, the mean input, or x[s(r)].
 */
import { Intervention, MLP, runWithCache } from "../model";
import { Rng, deriveSeed } from "../rng";
import { InputError } from "../errors";
import { DiscoveryGraph, edgeSetMasks } from "./graph";
import { DiscoveryTask } from "./metrics";

export const ABLATIONS = ["zero", "mean", "resample"] as const;
export type AblationKind = (typeof ABLATIONS)[number];

export interface Ablation {
  kind: AblationKind;
  /** Ablated activations of each edge source layer 0 … L−1: u × width, row-major. */
  activations: Float32Array[];
  /** The corrupted input of each row (u × inputs). */
  corruptInputs: Float32Array;
  /** resample: the row each row's corrupted input comes from. */
  sourceRows?: number[];
}

export function checkAblation(kind: string, where: string): AblationKind {
  if (!(ABLATIONS as readonly string[]).includes(kind)) throw new InputError(`${where}: ablation must be one of ${ABLATIONS.join(", ")}, got ${JSON.stringify(kind)}.`);
  return kind as AblationKind;
}

/** The ablated activations of `kind` on the task's rows (resample draws its pairing from `seed`). */
export function makeAblation(model: MLP, task: DiscoveryTask, kind: AblationKind, seed = 0): Ablation {
  checkAblation(kind, "makeAblation");
  const sizes = model.layerSizes;
  const L = sizes.length - 1;
  const u = task.u;
  const ni = task.nInputs;
  if (kind === "zero") return { kind, activations: sizes.slice(0, L).map((s) => new Float32Array(u * s)), corruptInputs: new Float32Array(u * ni) };
  const names = sizes.slice(0, L).map((_, l) => (l === 0 ? "hook_input" : `layers.${l}.hook_post`));
  if (kind === "mean") {
    const cache = runWithCache(model, task.x, u, { names }).cache;
    const activations = names.map((name, l) => {
      const a = cache[name];
      const out = new Float32Array(u * sizes[l]);
      for (let j = 0; j < sizes[l]; j++) {
        let m = 0;
        for (let r = 0; r < u; r++) m += task.w[r] * a[r * sizes[l] + j];
        for (let r = 0; r < u; r++) out[r * sizes[l] + j] = m;
      }
      return out;
    });
    return { kind, activations, corruptInputs: activations[0].slice() };
  }
  const rng = new Rng(deriveSeed(seed, "discovery-resample"));
  const sourceRows = Array.from({ length: u }, (_, r) => (u === 1 ? r : (r + 1 + rng.int(u - 1)) % u));
  const xs = new Float32Array(u * ni);
  sourceRows.forEach((s, r) => xs.set(task.x.subarray(s * ni, (s + 1) * ni), r * ni));
  const cache = runWithCache(model, xs, u, { names }).cache;
  return { kind, activations: names.map((n) => cache[n]), corruptInputs: xs, sourceRows };
}

/**
 * The output (one per task row) of the model with the edges outside `kept` ablated: circuit masks for the removed
 * edges, and the ablated values added back before each layer's activation (mean, resample).
 */
export function ablatedOutput(model: MLP, g: DiscoveryGraph, task: DiscoveryTask, ablation: Ablation, kept: Uint8Array): Float32Array {
  const sizes = model.layerSizes;
  const interventions: Intervention[] = [];
  if (ablation.kind !== "zero") {
    for (let i = 0; i < sizes.length - 1; i++) {
      const nin = sizes[i];
      const nout = sizes[i + 1];
      const W = model.weights[i];
      const a = ablation.activations[i];
      const add = new Float32Array(task.u * nout);
      let any = false;
      for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) {
        if (kept[e]) continue;
        any = true;
        const { from, to, at } = g.edges[e];
        for (let r = 0; r < task.u; r++) add[r * nout + to] += W[at] * a[r * nin + from];
      }
      if (any) interventions.push({ kind: "add", site: { hook: `layers.${i + 1}.hook_pre` }, rowValues: add });
    }
  }
  return runWithCache(model, task.x, task.u, { circuit: edgeSetMasks(g, kept), interventions, names: [] }).output;
}
