/**
 * The one representation extractor of the transformer study (EQUIVALENCE 3.2): per stage, the accumulated residual
 * stream (the embedding and every block's output) averaged over positions and concatenated over layers; each stage
 * reduced by PCA, fitted on that stage's clean run, to at most `components` columns; the stages concatenated.
 * The reduction keeps the ridge fits small (a 4-stage pipeline has up to 4 × 96 raw columns); a patched run is
 * projected with the clean run's PCA so both live in the same coordinates.
 *
 * Probes are shared by every implementation: `n` clean and `n` corrupted rows of tokens 0–5, drawn uniformly and
 * independently (seeded); clean row i is patched with corrupted row i.
 */
import { InputError } from "../errors";
import { Rng, deriveSeed } from "../rng";
import { RASP_LENGTH, RASP_VOCAB } from "../rasp/cases";
import { Mat, crossProd, mat, symmetricEigen } from "../equivalence/linalg";
import { HookTensor, accumulatedResidual } from "../transformer/forward";
import { Transformer } from "../transformer/types";
import { Pipeline, runPipeline } from "./pipeline";
import { circuitHeads, circuitHookNames, patchingInterventions } from "./patching";

export interface PipelineProbes {
  clean: number[][];
  corrupted: number[][];
}

/** The paper's probe count (1 000 clean and 1 000 corrupted sequences). */
export const PIPELINE_PROBES = 1000;
/** Columns kept per stage by the PCA. */
export const DEFAULT_STAGE_COMPONENTS = 16;
/** Share of each stage's variance the PCA keeps (within the column cap). */
export const DEFAULT_VARIANCE_KEPT = 0.99;

export function makePipelineProbes(seed: number, n = PIPELINE_PROBES): PipelineProbes {
  if (!Number.isInteger(n) || n < 10) throw new InputError(`makePipelineProbes: n must be an integer ≥ 10, got ${n}.`);
  const draw = (name: string) => {
    const rng = new Rng(deriveSeed(seed, "pipeline-probes", name));
    return Array.from({ length: n }, () => Array.from({ length: RASP_LENGTH }, () => RASP_VOCAB[rng.int(RASP_VOCAB.length)]));
  };
  return { clean: draw("clean"), corrupted: draw("corrupted") };
}

/** The hooks the accumulated residual reads. */
export function residualHookNames(model: Transformer): string[] {
  const L = model.config.nLayers;
  return [...Array.from({ length: L }, (_, l) => `blocks.${l}.hook_resid_pre`), `blocks.${L - 1}.hook_resid_post`];
}

/** Rows × ((layers + 1) · dModel): the accumulated residual averaged over positions, layers side by side. */
export function meanResidual(cache: Record<string, HookTensor>): Mat {
  const acc = accumulatedResidual(cache);
  const [L1, n, T, D] = acc.shape;
  const out = mat(n, L1 * D);
  for (let l = 0; l < L1; l++)
    for (let r = 0; r < n; r++)
      for (let t = 0; t < T; t++) {
        const base = ((l * n + r) * T + t) * D;
        for (let d = 0; d < D; d++) out.v[r * L1 * D + l * D + d] += acc.data[base + d] / T;
      }
  return out;
}

/** A fitted PCA: the column means and the leading principal directions (d × c). */
export interface Pca {
  mean: Float64Array;
  basis: Mat;
  /** Fraction of the variance the kept components explain. */
  explained: number;
}

/**
 * PCA of x: the fewest leading directions that keep `varianceKept` of the variance, at most `components`. Directions
 * past that carry rare rows (a stage model's few wrong outputs feed the next stage rare inputs); standardised by the
 * ridge fit they would weigh as much as the main ones in R².
 */
export function fitPca(x: Mat, components: number, varianceKept = DEFAULT_VARIANCE_KEPT): Pca {
  if (!Number.isInteger(components) || components < 1) throw new InputError(`fitPca: components must be a positive integer, got ${components}.`);
  const mean = new Float64Array(x.d);
  for (let r = 0; r < x.n; r++) for (let j = 0; j < x.d; j++) mean[j] += x.v[r * x.d + j] / x.n;
  const xc = mat(x.n, x.d);
  for (let r = 0; r < x.n; r++) for (let j = 0; j < x.d; j++) xc.v[r * x.d + j] = x.v[r * x.d + j] - mean[j];
  const { values, vectors } = symmetricEigen(crossProd(xc, xc));
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  let c = 0;
  let acc = 0;
  while (c < Math.min(components, x.d) && values[c] > 1e-9 * total && acc < varianceKept * total) acc += values[c++];
  const basis = mat(x.d, c);
  for (let j = 0; j < x.d; j++) for (let i = 0; i < c; i++) basis.v[j * c + i] = vectors.v[j * x.d + i];
  let kept = 0;
  for (let i = 0; i < c; i++) kept += values[i];
  return { mean, basis, explained: total > 0 ? kept / total : 1 };
}

export function applyPca(x: Mat, pca: Pca): Mat {
  const c = pca.basis.d;
  const out = mat(x.n, c);
  for (let r = 0; r < x.n; r++)
    for (let j = 0; j < x.d; j++) {
      const v = x.v[r * x.d + j] - pca.mean[j];
      if (v === 0) continue;
      for (let i = 0; i < c; i++) out.v[r * c + i] += v * pca.basis.v[j * c + i];
    }
  return out;
}

/** Stages' matrices side by side. */
function concatColumns(parts: readonly Mat[]): Mat {
  const n = parts[0].n;
  const d = parts.reduce((s, p) => s + p.d, 0);
  const out = mat(n, d);
  let off = 0;
  for (const p of parts) {
    for (let r = 0; r < n; r++) for (let j = 0; j < p.d; j++) out.v[r * d + off + j] = p.v[r * p.d + j];
    off += p.d;
  }
  return out;
}

export interface RepresentOptions {
  /** Columns per stage after PCA (default DEFAULT_STAGE_COMPONENTS). */
  components?: number;
  /** Share of each stage's variance kept (default DEFAULT_VARIANCE_KEPT). */
  varianceKept?: number;
  /** Head budgets k ≥ 1 whose patched representations to compute as well (default none). */
  budgets?: readonly number[];
}

export interface ImplementationRepresentation {
  /** Probes × columns on the clean run. */
  x: Mat;
  /** Budget k → the representation with k circuit heads patched from the corrupted run. */
  patched: Record<number, Mat>;
  /** Columns per stage. */
  columns: number[];
  /** Variance each stage's PCA keeps. */
  explained: number[];
  /** The circuit heads the budget can spend. */
  circuitHeads: number;
  /** The last stage's output values on the clean probes. */
  outputs: number[][];
}

/** The implementation's representation on the probes, and its patched representations for the given budgets. */
export function representImplementation(pipeline: Pipeline, probes: PipelineProbes, opts: RepresentOptions = {}): ImplementationRepresentation {
  const components = opts.components ?? DEFAULT_STAGE_COMPONENTS;
  if (probes.clean.length !== probes.corrupted.length) throw new InputError(`representImplementation: ${probes.clean.length} clean and ${probes.corrupted.length} corrupted probes; give one corrupted row per clean row.`);
  const names = (_s: number, m: Transformer) => residualHookNames(m);
  const clean = runPipeline(pipeline, probes.clean, { names });
  const stageMats = clean.caches.map((c) => meanResidual(c));
  const pcas = stageMats.map((m) => fitPca(m, components, opts.varianceKept));
  const x = concatColumns(stageMats.map((m, s) => applyPca(m, pcas[s])));
  const patched: Record<number, Mat> = {};
  const budgets = opts.budgets ?? [];
  const nHeads = circuitHeads(pipeline).length;
  if (budgets.length) {
    const corrupted = runPipeline(pipeline, probes.corrupted, { names: (s) => circuitHookNames(pipeline, s) });
    for (const k of budgets) {
      if (k === 0) {
        patched[0] = x;
        continue;
      }
      const run = runPipeline(pipeline, probes.clean, { names, interventions: patchingInterventions(pipeline, k, corrupted), reuse: clean });
      patched[k] = concatColumns(run.caches.map((c, s) => applyPca(meanResidual(c), pcas[s])));
    }
  }
  return { x, patched, columns: pcas.map((p) => p.basis.d), explained: pcas.map((p) => p.explained), circuitHeads: nHeads, outputs: clean.outputs[clean.outputs.length - 1] };
}
