/**
 * Probe sets and representations: which hidden activations two nets are compared on. Clean corners alone are
 * degenerate (4 points: any 3 generic units plus an intercept span every function of them), so probes are noisy
 * corners; representations keep only the units that matter (units whose mean ablation changes the output), drop
 * layers that merely copy the inputs (every net has the inputs), and are concatenated over hidden layers.
 */
import { Intervention, MLP, hookName, runWithCache } from "../model";
import { Rng } from "../rng";
import { cleanInputs } from "../tasks";
import { Mat, mat } from "./linalg";
import { ridgePredictivity } from "./measures";

export interface ProbeOptions {
  /** Number of probes (default 512), spread evenly over the 2^inputs corners. */
  n?: number;
  /** Gaussian noise around each corner (default 0.1; 0 gives the degenerate clean-corner set). */
  sigma?: number;
  /** Number of inputs (default 2). */
  nInputs?: number;
}

/** Noisy corners, row-major n × nInputs (corner r mod 2^k for row r). */
export function makeProbes(seed: number, opts: ProbeOptions = {}): Mat {
  const k = opts.nInputs ?? 2;
  const n = opts.n ?? 512;
  const sigma = opts.sigma ?? 0.1;
  if (!(n >= 1 << k)) throw new Error(`makeProbes: need at least ${1 << k} probes (one per corner), got ${n}.`);
  if (!(sigma >= 0)) throw new Error(`makeProbes: sigma must be ≥ 0, got ${sigma}.`);
  const corners = cleanInputs(k);
  const rng = new Rng(seed);
  const x = mat(n, k);
  for (let r = 0; r < n; r++) {
    const c = r % (1 << k);
    for (let j = 0; j < k; j++) x.v[r * k + j] = corners[c * k + j] + (sigma > 0 ? sigma * rng.normal() : 0);
  }
  return x;
}

/**
 * Every layer's activations on probe rows (index 0 = the probes, L = the output) after LeakyReLU, or with
 * `point: "pre"` before it (W·h + b), under the core's interventions (runWithCache; sites validated there).
 */
export function probeActivations(m: MLP, x: Mat, opts: { point?: "pre" | "post"; interventions?: readonly Intervention[] } = {}): Mat[] {
  const sizes = m.layerSizes;
  if (x.d !== sizes[0]) throw new Error(`probeActivations: probes have ${x.d} columns; the model takes ${sizes[0]} inputs.`);
  const point = opts.point ?? "post";
  const names = sizes.map((_, l) => hookName(l, point));
  const { cache } = runWithCache(m, x.v, x.n, { interventions: opts.interventions, names });
  return names.map((h, l) => mat(x.n, sizes[l], cache[h]));
}

/** A hidden unit: activation layer (1 … L−1) and index. */
export interface UnitRef {
  layer: number;
  unit: number;
}

/**
 * Hidden units that matter under mean ablation, with their importance: the mean |Δoutput| over the probes when the
 * unit is set to its mean activation over the probes (a `mean` intervention). Units at or below `tol` (dead,
 * disconnected, or negligible) are left out. Not a circuit in this library's sense (node and edge masks).
 */
export function unitsThatMatterUnderAblation(m: MLP, probes: Mat, tol = 0.02): { units: UnitRef[]; importance: number[] } {
  const base = probeActivations(m, probes);
  const L = m.layerSizes.length - 1;
  const y0 = base[L];
  const units: UnitRef[] = [];
  const importance: number[] = [];
  for (let l = 1; l < L; l++) {
    const w = m.layerSizes[l];
    for (let j = 0; j < w; j++) {
      let mean = 0;
      for (let r = 0; r < probes.n; r++) mean += base[l].v[r * w + j] / probes.n;
      const y = probeActivations(m, probes, { interventions: [{ kind: "mean", site: { hook: hookName(l), units: [j] }, means: [mean] }] })[L];
      let d = 0;
      for (let i = 0; i < y.v.length; i++) d += Math.abs(y.v[i] - y0.v[i]) / y.v.length;
      if (d > tol) {
        units.push({ layer: l, unit: j });
        importance.push(d);
      }
    }
  }
  return { units, importance };
}

export interface RepresentationOptions {
  /** Every hidden unit (whole-layer representations) instead of the units that matter under ablation (default false). */
  wholeLayers?: boolean;
  /** Drop relay layers (every kept unit an affine copy of the inputs, R² ≥ this; default 0.98; 1 = keep). */
  inputCopyR2?: number;
  /** Append the output column(s) (default false). */
  includeOutput?: boolean;
  /** Only the output (the behavioural baseline; default false). */
  outputOnly?: boolean;
  /** Mean-ablation tolerance of unitsThatMatterUnderAblation (default 0.02). */
  ablationTol?: number;
  /** Interventions applied before reading the activations (e.g. interchange from counterfactual probes). */
  interventions?: readonly Intervention[];
  /** Units to use instead of searching (e.g. the unpatched net's units). */
  units?: readonly UnitRef[];
  /**
   * "post" (default): activations after LeakyReLU, as the paper's residual stream. "pre": the units' inputs W h + b,
   * which are invariant to negating a variable (OR and NOR differ only in sign there), so negation variants coincide.
   */
  site?: "post" | "pre";
}

export interface Representation {
  /** probes × units. */
  x: Mat;
  units: UnitRef[];
}

/** The representation of a net on probes: chosen units' activations, concatenated over hidden layers. */
export function representation(m: MLP, probes: Mat, opts: RepresentationOptions = {}): Representation {
  const acts = probeActivations(m, probes, { point: opts.site, interventions: opts.interventions });
  const L = m.layerSizes.length - 1;
  if (opts.outputOnly) return { x: acts[L], units: [] };
  const units = opts.units ? [...opts.units] : selectUnits(m, probes, opts);
  const cols = units.length + (opts.includeOutput ? m.layerSizes[L] : 0);
  const x = mat(probes.n, cols);
  for (let r = 0; r < probes.n; r++) {
    units.forEach((u, c) => (x.v[r * cols + c] = acts[u.layer].v[r * m.layerSizes[u.layer] + u.unit]));
    if (opts.includeOutput) for (let o = 0; o < m.layerSizes[L]; o++) x.v[r * cols + units.length + o] = acts[L].v[r * m.layerSizes[L] + o];
  }
  return { x, units };
}

/** The units a representation keeps (see RepresentationOptions). */
export function selectUnits(m: MLP, probes: Mat, opts: RepresentationOptions = {}): UnitRef[] {
  const L = m.layerSizes.length - 1;
  let units: UnitRef[] = [];
  if (!opts.wholeLayers) units = unitsThatMatterUnderAblation(m, probes, opts.ablationTol).units;
  else for (let l = 1; l < L; l++) for (let j = 0; j < m.layerSizes[l]; j++) units.push({ layer: l, unit: j });
  const maxR2 = opts.inputCopyR2 ?? 0.98;
  if (maxR2 < 1) {
    const acts = probeActivations(m, probes);
    const isCopy = (u: UnitRef) => {
      const col = mat(probes.n, 1);
      for (let r = 0; r < probes.n; r++) col.v[r] = acts[u.layer].v[r * m.layerSizes[u.layer] + u.unit];
      return ridgePredictivity(probes, col, { alphas: [1e-6] }) ** 2 >= maxR2;
    };
    const copy = units.map(isCopy);
    // a layer whose kept units all relay the inputs computes no intermediate variable; copies that sit beside
    // computed units (C3's a and b next to AND) are variables of the algorithm and stay
    const relayLayers = new Set<number>();
    for (let l = 1; l < L; l++) {
      const idx = units.map((_, i) => i).filter((i) => units[i].layer === l);
      if (idx.length > 0 && idx.every((i) => copy[i])) relayLayers.add(l);
    }
    units = units.filter((u) => !relayLayers.has(u.layer));
  }
  return units;
}
