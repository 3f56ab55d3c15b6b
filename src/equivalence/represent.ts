/**
 * Probe sets and representations: which hidden activations two nets are compared on. Clean corners alone are
 * degenerate (4 points: any 3 generic units plus an intercept span every function of them), so probes are noisy
 * corners; representations keep only the circuit's units (units whose ablation changes the output), drop units
 * that merely copy the inputs (every net has the inputs), and are concatenated over hidden layers.
 */
import { LayerPatch, MLP, forwardAll } from "../model";
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

/** Per-row replacement of some units of hidden layer `layer` (1 … L−1) after its activation. */
export interface Patch {
  layer: number;
  unit: number;
  /** One value per probe row. */
  values: ArrayLike<number>;
}

/**
 * model.forwardAll on probe matrices, with per-row patches (counterfactual values per probe) or, with
 * `preActivations`, the values before the activation. Returns layers 0 … L as matrices.
 */
export function forwardPatched(m: MLP, x: Mat, patches: readonly Patch[] = [], preActivations = false): Mat[] {
  const sizes = m.layerSizes;
  if (x.d !== sizes[0]) throw new Error(`forwardPatched: probes have ${x.d} columns; the model takes ${sizes[0]} inputs.`);
  const interventions: LayerPatch[] = patches.map((p) => ({ layer: p.layer, neurons: [p.unit], rowValues: p.values.length === x.n ? p.values : new Float32Array(x.n).fill(p.values[0]) }));
  return forwardAll(m, x.v, x.n, { interventions, preActivations }).map((v, l) => mat(x.n, sizes[l], v));
}

/** A hidden unit: activation layer (1 … L−1) and index. */
export interface UnitRef {
  layer: number;
  unit: number;
}

/**
 * Hidden units that matter, with their importance: the mean |Δoutput| over the probes when the unit is replaced by
 * its mean activation (mean ablation). Units below `tol` (dead, disconnected, or negligible) are not in the circuit.
 */
export function circuitUnits(m: MLP, probes: Mat, tol = 0.02): { units: UnitRef[]; importance: number[] } {
  const base = forwardPatched(m, probes);
  const L = m.layerSizes.length - 1;
  const y0 = base[L];
  const units: UnitRef[] = [];
  const importance: number[] = [];
  for (let l = 1; l < L; l++) {
    const w = m.layerSizes[l];
    for (let j = 0; j < w; j++) {
      let mean = 0;
      for (let r = 0; r < probes.n; r++) mean += base[l].v[r * w + j] / probes.n;
      const y = forwardPatched(m, probes, [{ layer: l, unit: j, values: new Float64Array(probes.n).fill(mean) }])[L];
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
  /** Keep only circuit units (default true); false = every hidden unit (whole-layer representations). */
  circuit?: boolean;
  /** Drop relay layers (every circuit unit an affine copy of the inputs, R² ≥ this; default 0.98; 1 = keep). */
  inputCopyR2?: number;
  /** Append the output column(s) (default false). */
  includeOutput?: boolean;
  /** Only the output (the behavioural baseline; default false). */
  outputOnly?: boolean;
  /** Ablation tolerance of the circuit search (default 0.02). */
  circuitTol?: number;
  /** Per-row patches applied before reading the activations (counterfactual interventions). */
  patches?: readonly Patch[];
  /** Units to use instead of searching (e.g. the unpatched net's circuit). */
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
  const acts = forwardPatched(m, probes, opts.patches ?? [], opts.site === "pre");
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
  if (opts.circuit ?? true) units = circuitUnits(m, probes, opts.circuitTol).units;
  else for (let l = 1; l < L; l++) for (let j = 0; j < m.layerSizes[l]; j++) units.push({ layer: l, unit: j });
  const maxR2 = opts.inputCopyR2 ?? 0.98;
  if (maxR2 < 1) {
    const acts = forwardPatched(m, probes);
    const isCopy = (u: UnitRef) => {
      const col = mat(probes.n, 1);
      for (let r = 0; r < probes.n; r++) col.v[r] = acts[u.layer].v[r * m.layerSizes[u.layer] + u.unit];
      return ridgePredictivity(probes, col, { alphas: [1e-6] }) ** 2 >= maxR2;
    };
    const copy = units.map(isCopy);
    // a layer whose circuit units all relay the inputs computes no intermediate variable; copies that sit beside
    // computed units (C3's a and b next to AND) are variables of the algorithm and stay
    const relayLayers = new Set<number>();
    for (let l = 1; l < L; l++) {
      const idx = units.map((u, i) => i).filter((i) => units[i].layer === l);
      if (idx.length > 0 && idx.every((i) => copy[i])) relayLayers.add(l);
    }
    units = units.filter((u) => !relayLayers.has(u.layer));
  }
  return units;
}
