/**
 * Patching profiles (the paper's intervention selectivity, EQUIVALENCE 3.2, 6.4): the k most important units of
 * a source take their values on counterfactual probes, and the source's predictivity of a target is recomputed.
 */
import { Intervention, MLP, hookName } from "../model";
import { Rng, deriveSeed } from "../rng";
import { Mat, takeRows } from "./linalg";
import { ridgePredictivity } from "./measures";
import { ProbeOptions, RepresentationOptions, makeProbes, representation, unitsThatMatterUnderAblation } from "./represent";

export interface PatchingProfile {
  /** Number of patched units. */
  k: number[];
  /** Mean s(do_k a → b) / s(a → b) drop: 1 − ratio, per k. */
  drop: number[];
  /** Selectivity: fraction of pairs with s(a → b) > s(do_k a → b), per k. */
  selectivity: number[];
}

/**
 * Drop profile under patching: the k units of each source that matter most under ablation (last layer first, then
 * by importance) take their values on counterfactual probes (an interchange intervention, one counterfactual probe
 * per probe); ridge a → b is recomputed. Congruent targets should show the same drop as the source's own family.
 */
export function patchingProfile(
  sources: readonly MLP[],
  targets: readonly MLP[],
  pairs: readonly [number, number][],
  opts: { kMax?: number; probes?: ProbeOptions; seed?: number; representation?: RepresentationOptions } = {},
): PatchingProfile {
  pairs.forEach(([si, ti], i) => {
    if (!sources[si] || !targets[ti]) throw new Error(`patchingProfile: pair ${i} is [${si}, ${ti}]; there are sources 0…${sources.length - 1} and targets 0…${targets.length - 1}.`);
  });
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
    const { units, importance } = unitsThatMatterUnderAblation(src, probes, opts.representation?.ablationTol);
    const order = units.map((u, i) => ({ u, imp: importance[i] })).sort((x, y) => y.u.layer - x.u.layer || y.imp - x.imp);
    const base = representation(src, probes, opts.representation);
    if (!targetReps.has(ti)) targetReps.set(ti, representation(targets[ti], probes, opts.representation).x);
    const ty = targetReps.get(ti)!;
    const s0 = ridgePredictivity(base.x, ty, { seed });
    for (const k of ks) {
      const interventions: Intervention[] = order.slice(0, k).map(({ u }) => ({ kind: "interchange", site: { hook: hookName(u.layer), units: [u.unit] }, source: { x: cfRows.v, n: cfRows.n } }));
      const sk = k === 0 ? s0 : ridgePredictivity(representation(src, probes, { ...opts.representation, interventions, units: base.units }).x, ty, { seed });
      drop[k] += (s0 > 0 ? 1 - sk / s0 : 0) / pairs.length;
      sel[k] += (s0 > sk ? 1 : s0 === sk ? 0.5 : 0) / pairs.length;
    }
  }
  return { k: ks, drop, selectivity: sel };
}
