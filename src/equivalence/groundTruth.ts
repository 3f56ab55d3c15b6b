/**
 * Networks whose algorithm we know: hand-built XOR nets of the three implementation classes (EQUIVALENCE 6.2) and
 * the transforms that change the weights but not the algorithm (permutation, positive rescaling, dead or
 * disconnected units, small re-verified jitter). They label the validation populations.
 */
import { MLP, cloneMLP, forward, mlpFromArrays, roundHalfEven } from "../model";
import { Rng } from "../rng";
import { cleanInputs, getGate } from "../tasks";

/** C1 symmetric ({00|rest}, {11|rest}), C2 one-sided ({10|rest}, {01|rest}), C3 arithmetic ({a}, {b}, {11|rest}). */
export type XorClass = "C1" | "C2" | "C3";
export const XOR_CLASSES: readonly XorClass[] = ["C1", "C2", "C3"];

/** One hidden unit relu(wa·a + wb·b + bias) and its weight in the XOR readout. */
interface UnitSpec {
  name: string;
  w: [number, number];
  b: number;
  out: number;
}

interface Variant {
  units: UnitSpec[];
  outBias: number;
}

const OR: Omit<UnitSpec, "out"> = { name: "OR", w: [1, 1], b: -0.5 };
const AND: Omit<UnitSpec, "out"> = { name: "AND", w: [1, 1], b: -1.5 };
const NAND: Omit<UnitSpec, "out"> = { name: "NAND", w: [-1, -1], b: 1.5 };
const NOR: Omit<UnitSpec, "out"> = { name: "NOR", w: [-1, -1], b: 0.5 };
const NIMP_AB: Omit<UnitSpec, "out"> = { name: "a∧¬b", w: [1, -1], b: -0.5 };
const NIMP_BA: Omit<UnitSpec, "out"> = { name: "¬a∧b", w: [-1, 1], b: -0.5 };
const IMP_AB: Omit<UnitSpec, "out"> = { name: "¬a∨b", w: [-1, 1], b: 0.5 };
const IMP_BA: Omit<UnitSpec, "out"> = { name: "a∨¬b", w: [1, -1], b: 0.5 };
const A: Omit<UnitSpec, "out"> = { name: "a", w: [1, 0], b: 0 };
const B: Omit<UnitSpec, "out"> = { name: "b", w: [0, 1], b: 0 };
const NOT_A: Omit<UnitSpec, "out"> = { name: "¬a", w: [-1, 0], b: 1 };
const NOT_B: Omit<UnitSpec, "out"> = { name: "¬b", w: [0, -1], b: 1 };

const u = (s: Omit<UnitSpec, "out">, out: number): UnitSpec => ({ ...s, out });

/**
 * Canonical readouts, one list per class; within a class the variants differ by negating intermediate variables
 * (equivalent interpretations: the readout's sign absorbs the negation). Output = LeakyReLU(Σ out·unit + outBias).
 */
export const XOR_VARIANTS: Record<XorClass, Variant[]> = {
  C1: [
    { units: [u(OR, 2), u(AND, -6)], outBias: 0 },
    { units: [u(OR, -2), u(NAND, -2)], outBias: 3 },
    { units: [u(NOR, -2), u(AND, -2)], outBias: 1 },
    { units: [u(NOR, -6), u(NAND, 2)], outBias: 0 },
  ],
  C2: [
    { units: [u(NIMP_AB, 2), u(NIMP_BA, 2)], outBias: 0 },
    { units: [u(NIMP_AB, 6), u(IMP_BA, -2)], outBias: 1 },
    { units: [u(IMP_AB, -2), u(NIMP_BA, 6)], outBias: 1 },
    { units: [u(IMP_AB, 2), u(IMP_BA, 2)], outBias: -2 },
  ],
  C3: [
    { units: [u(A, 1), u(B, 1), u(AND, -4)], outBias: 0 },
    { units: [u(NOT_A, -1), u(NOT_B, -1), u(AND, -4)], outBias: 2 },
  ],
};

/** Names of the intermediate units of a class variant (for unit maps). */
export function variantUnitNames(cls: XorClass, variant = 0): string[] {
  return variantOf(cls, variant).units.map((s) => s.name);
}

function variantOf(cls: XorClass, variant: number): Variant {
  const vs = XOR_VARIANTS[cls];
  if (!vs) throw new Error(`equivalence: unknown XOR class "${cls}"; use one of ${XOR_CLASSES.join(", ")}.`);
  if (!Number.isInteger(variant) || variant < 0 || variant >= vs.length) throw new Error(`equivalence: class ${cls} has variants 0…${vs.length - 1}, got ${variant}.`);
  return vs[variant];
}

export interface HandBuiltOptions {
  /** Negation variant (index into XOR_VARIANTS[cls]); default 0. */
  variant?: number;
  /** Hidden widths, e.g. [3] or [4, 4]; extra units beyond the class's are dead or disconnected. Default: minimal. */
  hidden?: number[];
  /**
   * Where the class's units sit when there are two hidden layers: "early" (layer 1; layer 2 computes XOR) or
   * "late" (layer 1 copies the inputs shifted by +1, layer 2 holds the class's units). Default "early".
   */
  placement?: "early" | "late";
}

/**
 * A hand-built XOR net of a class, exact on the 4 corners. Extra units alternate between dead (constant) and
 * disconnected (random input weights, zero outgoing weight), seeded by `seed`.
 */
export function handBuiltXor(cls: XorClass, opts: HandBuiltOptions = {}, seed = 0): MLP {
  const v = variantOf(cls, opts.variant ?? 0);
  const k = v.units.length;
  const hidden = opts.hidden ?? [k];
  if (hidden.length < 1 || hidden.length > 2) throw new Error(`handBuiltXor: hidden must list 1 or 2 widths, got ${JSON.stringify(hidden)}.`);
  const placement = opts.placement ?? "early";
  const rng = new Rng(seed);
  const extra = (row: number[], nin: number, i: number): { w: number[]; b: number } =>
    i % 2 === 0 ? { w: row.map(() => 0), b: -1 } : { w: Array.from({ length: nin }, () => rng.uniform(-1, 1)), b: rng.uniform(-0.5, 0.5) };
  const W: number[][][] = [];
  const Bs: number[][] = [];
  const layer = (specs: { w: number[]; b: number }[], width: number, nin: number, what: string) => {
    if (specs.length > width) throw new Error(`handBuiltXor: class ${cls} needs ${specs.length} units in the ${what} layer, got width ${width}.`);
    const rows = specs.map((s) => s.w);
    const bias = specs.map((s) => s.b);
    for (let i = specs.length; i < width; i++) {
      const e = extra(new Array(nin).fill(0), nin, i - specs.length);
      rows.push(e.w);
      bias.push(e.b);
    }
    W.push(rows);
    Bs.push(bias);
  };
  const readout = (width: number) => [[...v.units.map((s) => s.out), ...new Array(width - k).fill(0)]];
  if (hidden.length === 1) {
    layer(v.units.map((s) => ({ w: s.w, b: s.b })), hidden[0], 2, "hidden");
    W.push(readout(hidden[0]));
    Bs.push([v.outBias]);
  } else if (placement === "early") {
    layer(v.units.map((s) => ({ w: s.w, b: s.b })), hidden[0], 2, "first hidden");
    const xorUnit = { w: [...v.units.map((s) => s.out), ...new Array(hidden[0] - k).fill(0)], b: v.outBias };
    layer([xorUnit], hidden[1], hidden[0], "second hidden");
    W.push([[1, ...new Array(hidden[1] - 1).fill(0)]]);
    Bs.push([0]);
  } else {
    // inputs shifted by +1 stay positive, so the copy is exact; the class's units absorb the shift in their bias
    layer([{ w: [1, 0], b: 1 }, { w: [0, 1], b: 1 }], hidden[0], 2, "first hidden");
    const pad = (w: [number, number]) => [...w, ...new Array(hidden[0] - 2).fill(0)];
    layer(v.units.map((s) => ({ w: pad(s.w), b: s.b - s.w[0] - s.w[1] })), hidden[1], hidden[0], "second hidden");
    W.push(readout(hidden[1]));
    Bs.push([v.outBias]);
  }
  const m = mlpFromArrays([2, ...hidden, 1], W, Bs, ["XOR"]);
  if (!computesXor(m)) throw new Error(`handBuiltXor: internal error, ${cls} variant ${opts.variant ?? 0} does not compute XOR.`);
  return m;
}

/** True when the rounded output equals XOR on the four clean corners. */
export function computesXor(m: MLP): boolean {
  const y = forward(m, cleanInputs(2), 4);
  const table = getGate("XOR").table;
  for (let r = 0; r < 4; r++) if (roundHalfEven(y[r]) !== table[r]) return false;
  return true;
}

/** Permutes the units of every hidden layer (rows of W_l, b_l and columns of W_{l+1}). */
export function permuteUnits(m: MLP, rng: Rng): MLP {
  const out = cloneMLP(m);
  const L = m.layerSizes.length - 1;
  for (let l = 1; l < L; l++) {
    const p = rng.permutation(m.layerSizes[l]);
    const nin = m.layerSizes[l - 1];
    const nl = m.layerSizes[l];
    const nout = m.layerSizes[l + 1];
    const wIn = out.weights[l - 1].slice();
    const bIn = out.biases[l - 1].slice();
    const wOut = out.weights[l].slice();
    for (let i = 0; i < nl; i++) {
      for (let j = 0; j < nin; j++) out.weights[l - 1][i * nin + j] = wIn[p[i] * nin + j];
      out.biases[l - 1][i] = bIn[p[i]];
      for (let o = 0; o < nout; o++) out.weights[l][o * nl + i] = wOut[o * nl + p[i]];
    }
  }
  return out;
}

/** Multiplies each hidden unit's incoming weights and bias by c ∈ [lo, hi] and its outgoing weights by 1/c. */
export function rescaleUnits(m: MLP, rng: Rng, lo = 0.5, hi = 2): MLP {
  if (!(lo > 0 && hi >= lo)) throw new Error(`rescaleUnits: need 0 < lo ≤ hi, got ${lo}, ${hi}.`);
  const out = cloneMLP(m);
  const L = m.layerSizes.length - 1;
  for (let l = 1; l < L; l++) {
    const nin = m.layerSizes[l - 1];
    const nl = m.layerSizes[l];
    const nout = m.layerSizes[l + 1];
    for (let i = 0; i < nl; i++) {
      const c = Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
      for (let j = 0; j < nin; j++) out.weights[l - 1][i * nin + j] *= c;
      out.biases[l - 1][i] *= c;
      for (let o = 0; o < nout; o++) out.weights[l][o * nl + i] /= c;
    }
  }
  return out;
}

/** Adds N(0, σ²) to every weight and bias, redrawing (up to 50 times) until the net still computes XOR. */
export function jitterWeights(m: MLP, rng: Rng, sigma = 0.05): MLP {
  for (let attempt = 0; attempt < 50; attempt++) {
    const out = cloneMLP(m);
    for (const w of [...out.weights, ...out.biases]) for (let i = 0; i < w.length; i++) if (w[i] !== 0) w[i] = Math.fround(w[i] + sigma * rng.normal());
    if (computesXor(out)) return out;
  }
  throw new Error(`jitterWeights: no jitter of σ = ${sigma} kept XOR in 50 draws; use a smaller σ.`);
}

/** A random implementation-preserving transform: permutation, rescaling in [0.5, 2], then jitter σ (0 = none). */
export function symmetryTransform(m: MLP, rng: Rng, jitter = 0.03): MLP {
  let t = rescaleUnits(permuteUnits(m, rng), rng);
  if (jitter > 0) t = jitterWeights(t, rng, jitter);
  return t;
}

export interface LabelledNet {
  model: MLP;
  cls: XorClass;
  variant: number;
  label: string;
}

export interface PopulationOptions {
  /** Nets per class (default 12). */
  perClass?: number;
  /** Classes to draw (default C1, C2). */
  classes?: readonly XorClass[];
  /** Allowed hidden-layer counts (default [1, 2]). */
  depths?: readonly number[];
  /** Maximum hidden width (default 5). */
  maxWidth?: number;
  /** Weight jitter σ (default 0.03). */
  jitter?: number;
  /** Only negation variant 0 (default false: all variants). */
  canonicalOnly?: boolean;
}

/** A seeded population of hand-built nets per class with random widths, depths, variants and symmetry transforms. */
export function handBuiltPopulation(seed: number, opts: PopulationOptions = {}): LabelledNet[] {
  const rng = new Rng(seed);
  const out: LabelledNet[] = [];
  const depths = opts.depths ?? [1, 2];
  const maxW = opts.maxWidth ?? 5;
  for (const cls of opts.classes ?? ["C1", "C2"]) {
    for (let i = 0; i < (opts.perClass ?? 12); i++) {
      const variant = opts.canonicalOnly ? 0 : rng.int(XOR_VARIANTS[cls].length);
      const k = XOR_VARIANTS[cls][variant].units.length;
      const depth = depths[rng.int(depths.length)];
      const placement = depth === 2 && rng.int(3) === 0 ? "late" : "early";
      const width = (min: number) => min + rng.int(maxW - min + 1);
      const hidden = depth === 1 ? [width(k)] : placement === "early" ? [width(k), width(1)] : [width(2), width(k)];
      const base = handBuiltXor(cls, { variant, hidden, placement }, rng.uint32());
      const model = symmetryTransform(base, rng, opts.jitter ?? 0.03);
      out.push({ model, cls, variant, label: `${cls}.v${variant} [${model.layerSizes.join(",")}]${depth === 2 ? " " + placement : ""}` });
    }
  }
  return out;
}
