/**
 * Patching profiles (the paper's intervention selectivity, EQUIVALENCE 3.2 and 6.4): the k most important units of
 * a source take their values on counterfactual probes, and the source's predictivity of a target is recomputed.
 */
import { MLP } from "../model";
import { Rng, deriveSeed } from "../rng";
import { Mat, takeRows } from "./linalg";
import { ridgePredictivity } from "./measures";
import { ProbeOptions, RepresentationOptions, UnitRef, circuitUnits, forwardPatched, makeProbes, representation } from "./represent";

export interface PatchingProfile {
  /** Number of patched circuit units. */
  k: number[];
  /** Mean s(do_k a → b) / s(a → b) drop: 1 − ratio, per k. */
  drop: number[];
  /** Selectivity: fraction of pairs with s(a → b) > s(do_k a → b), per k. */
  selectivity: number[];
}

/**
 * Drop profile under patching: the k most important circuit units of each source (last layer first, then by
 * importance) take their values on counterfactual probes; ridge a → b is recomputed. Congruent targets should show
 * the same drop as the source's own family.
 */
export function patchingProfile(
  sources: readonly MLP[],
  targets: readonly MLP[],
  pairs: readonly [number, number][],
  opts: { kMax?: number; probes?: ProbeOptions; seed?: number; representation?: RepresentationOptions } = {},
): PatchingProfile {
  const seed = opts.seed ?? 0;
  const probes = makeProbes(deriveSeed(seed, "probes"), opts.probes);
  const cf = makeProbes(deriveSeed(seed, "counterfactual"), opts.probes);
  // counterfactual rows come from a shuffled independent set, so each probe's source differs in its corner
  const perm = new Rng(deriveSeed(seed, "cf-shuffle")).permutation(cf.n);
  const cfRows = takeRows(cf, perm);
  const kMax = opts.kMax ?? 2;
  const ks = Array.from({ length: kMax + 1 }, (_, k) => k);
  const drop = new Array(kMax + 1).fill(0);
  const sel = new Array(kMax + 1).fill(0);
  const targetReps = new Map<number, Mat>();
  for (const [si, ti] of pairs) {
    const src = sources[si];
    const { units, importance } = circuitUnits(src, probes, opts.representation?.circuitTol);
    const order = units.map((u, i) => ({ u, imp: importance[i] })).sort((x, y) => y.u.layer - x.u.layer || y.imp - x.imp);
    const base = representation(src, probes, opts.representation);
    if (!targetReps.has(ti)) targetReps.set(ti, representation(targets[ti], probes, opts.representation).x);
    const ty = targetReps.get(ti)!;
    const s0 = ridgePredictivity(base.x, ty, { seed });
    const cfActs = forwardPatched(src, cfRows);
    for (const k of ks) {
      const chosen: UnitRef[] = order.slice(0, k).map((o) => o.u);
      const patches = chosen.map((u) => ({ layer: u.layer, unit: u.unit, values: column(cfActs[u.layer], u.unit) }));
      const sk = k === 0 ? s0 : ridgePredictivity(representation(src, probes, { ...opts.representation, patches, units: base.units }).x, ty, { seed });
      drop[k] += (s0 > 0 ? 1 - sk / s0 : 0) / pairs.length;
      sel[k] += (s0 > sk ? 1 : s0 === sk ? 0.5 : 0) / pairs.length;
    }
  }
  return { k: ks, drop, selectivity: sel };
}

function column(a: Mat, j: number): Float64Array {
  const out = new Float64Array(a.n);
  for (let r = 0; r < a.n; r++) out[r] = a.v[r * a.d + j];
  return out;
}
