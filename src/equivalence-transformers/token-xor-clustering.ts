/**
 * The estimator on the token-XOR population: does it recover the imposed XOR class without being told?
 *
 * Probes: the discrete task has only four (x₁, x₆) corners, and any two representations that separate four points are
 * affine images of each other, so (as the MLP estimator's noisy corners, src/equivalence/represent.ts) the probes are
 * continuous: the token embeddings at x₁ and x₆ are interpolated, (1 − α)·E[0] + α·E[1], with α, β drawn around a
 * corner (σ = 0.1 by default), the other six bits random. Representations (one of, `site`):
 * - "mlp0": every neuron of block 0's MLP (`blocks.0.mlp.hook_post`) at the last position (the default: where the
 *   class-defining variables live; the estimator is not told which neurons the correspondence used);
 * - "circuit": only the neurons the correspondence maps in block 0 (the circuit, as a circuit-discovery method would
 *   give it);
 * - "residual": the accumulated residual stream averaged over positions (the paper's representation).
 * Similarity: the held-out ridge encoding score (src/equivalence/measures.ts), both directions, their minimum.
 * Clustering: average-linkage agglomerative clustering on 1 − similarity into 3 clusters (deterministic: ties go
 * to the lowest indices), scored by the adjusted Rand index (src/equivalence/study.ts) against the imposed
 * classes; and the point test between every pair of classes (src/equivalence/point-test.ts).
 */
import { InputError, BudgetError } from "../errors";
import { Rng, deriveSeed } from "../rng";
import { Mat, mat } from "../equivalence/linalg";
import { ridgePredictivity } from "../equivalence/measures";
import { pointTest } from "../equivalence/point-test";
import { pairSeed } from "../equivalence/scores";
import { adjustedRandIndex } from "../equivalence/study";
import { Transformer } from "../transformer/types";
import { TransformerIntervention } from "../transformer/interventions";
import { accumulatedResidual, runTransformerWithCache } from "../transformer/forward";
import { Correspondence } from "../rasp/correspondence";
import { XOR_CLASSES, XorClass } from "../equivalence/groundTruth";
import { TOKEN_XOR_LENGTH, TOKEN_XOR_POSITIONS } from "./token-xor";

export type TokenXorSite = "mlp0" | "circuit" | "residual" | "interchange" | "interchange-pairs";
export const TOKEN_XOR_SITES: readonly TokenXorSite[] = ["mlp0", "circuit", "residual", "interchange", "interchange-pairs"];

export interface TokenXorProbes {
  /** BOS then 8 bits per probe (x₁ and x₆ hold the corner). */
  tokens: number[][];
  /** Interpolation weights of x₁ and x₆ per probe (0 = token 0's embedding, 1 = token 1's). */
  alpha: number[];
  beta: number[];
}

export interface TokenXorProbeOptions {
  /** Probes (default 256), spread evenly over the four corners. */
  n?: number;
  /** Noise around each corner (default 0.1; 0 gives the four discrete corners). */
  sigma?: number;
  seed?: number;
  /** The six other bits: drawn per probe ("random", default) or one seeded draw shared by every probe ("fixed"). */
  background?: "random" | "fixed";
}

/** Continuous probes (see the file's comment), seeded. */
export function tokenXorProbes(opts: TokenXorProbeOptions = {}): TokenXorProbes {
  const n = opts.n ?? 256;
  const sigma = opts.sigma ?? 0.1;
  if (!Number.isInteger(n) || n < 8) throw new InputError(`tokenXorProbes: n must be an integer ≥ 8 (two per corner), got ${n}.`);
  if (!(sigma >= 0 && sigma <= 1)) throw new InputError(`tokenXorProbes: sigma must be in [0, 1], got ${sigma}.`);
  const rng = new Rng(deriveSeed(opts.seed ?? 0, "token-xor", "probes"));
  const [p, q] = TOKEN_XOR_POSITIONS;
  const tokens: number[][] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  const background = opts.background ?? "random";
  if (background !== "random" && background !== "fixed") throw new InputError(`tokenXorProbes: background must be "random" or "fixed", got ${JSON.stringify(background)}.`);
  const shared = Array.from({ length: TOKEN_XOR_LENGTH }, () => rng.int(2));
  for (let r = 0; r < n; r++) {
    const a = r & 1;
    const b = (r >> 1) & 1;
    const bits = background === "fixed" ? [...shared] : Array.from({ length: TOKEN_XOR_LENGTH }, () => rng.int(2));
    bits[p] = a;
    bits[q] = b;
    tokens.push([2, ...bits]);
    alpha.push(a + sigma * rng.normal());
    beta.push(b + sigma * rng.normal());
  }
  return { tokens, alpha, beta };
}

/** The `set` intervention on `hook_embed` that writes the interpolated embeddings of x₁ and x₆ (positions after BOS). */
export function probeEmbeddingIntervention(model: Transformer, probes: TokenXorProbes): TransformerIntervention {
  const D = model.config.dModel;
  const positions = TOKEN_XOR_POSITIONS.map((i) => i + 1);
  const values = new Float32Array(probes.tokens.length * 2 * D);
  probes.tokens.forEach((_, r) => {
    [probes.alpha[r], probes.beta[r]].forEach((w, k) => {
      for (let d = 0; d < D; d++) values[(r * 2 + k) * D + d] = (1 - w) * model.wE[d] + w * model.wE[D + d];
    });
  });
  return { kind: "set", site: { hook: "hook_embed", positions }, rowValues: values };
}

/** Block 0's MLP neurons a correspondence maps (sorted). */
export function circuitNeurons(corr: Correspondence): number[] {
  const out = new Set<number>();
  for (const sites of Object.values(corr)) for (const s of sites) if (s.layer === 0 && s.component === "mlp") s.neurons.forEach((j) => out.add(j));
  return [...out].sort((a, b) => a - b);
}

/**
 * Drops the columns whose standard deviation over the probes is below `relative` × the largest one: nearly dead
 * neurons (GELU's flat negative side) whose standardised values are noise, and whose held-out R², averaged uniformly
 * over the target's columns by the ridge score, would otherwise swing a pair's score from 0.9 to 0 with the folds.
 */
export function dropQuietColumns(x: Mat, relative: number): Mat {
  if (!(relative >= 0 && relative < 1)) throw new InputError(`dropQuietColumns: relative must be in [0, 1), got ${relative}.`);
  const sd = Array.from({ length: x.d }, (_, j) => {
    let s = 0;
    let ss = 0;
    for (let r = 0; r < x.n; r++) {
      const v = x.v[r * x.d + j];
      s += v;
      ss += v * v;
    }
    const mu = s / x.n;
    return Math.sqrt(Math.max(0, ss / x.n - mu * mu));
  });
  const max = Math.max(0, ...sd);
  const keep = sd.map((v, j) => (v > 0 && v >= relative * max ? j : -1)).filter((j) => j >= 0);
  const out = mat(x.n, keep.length);
  for (let r = 0; r < x.n; r++) keep.forEach((j, c) => (out.v[r * keep.length + c] = x.v[r * x.d + j]));
  return out;
}

/**
 * Subtracts, per column, the mean over the probes of the same (x₁, x₆) corner: what is left is how the representation
 * varies around each corner (with α, β and the other bits), the part that the behaviour does not fix. The four corner
 * means are the same for every implementation up to an affine map (four points), so they only inflate every score.
 */
export function centreByCorner(x: Mat, probes: TokenXorProbes): Mat {
  if (x.n !== probes.tokens.length) throw new InputError(`centreByCorner: ${x.n} rows but ${probes.tokens.length} probes.`);
  const [p, q] = TOKEN_XOR_POSITIONS;
  const corner = probes.tokens.map((t) => t[p + 1] + 2 * t[q + 1]);
  const out = mat(x.n, x.d, x.v);
  for (let c = 0; c < 4; c++) {
    const rows = corner.map((k, r) => (k === c ? r : -1)).filter((r) => r >= 0);
    if (!rows.length) continue;
    for (let j = 0; j < x.d; j++) {
      let m = 0;
      for (const r of rows) m += x.v[r * x.d + j] / rows.length;
      for (const r of rows) out.v[r * x.d + j] -= m;
    }
  }
  return out;
}

/** Columns quieter than this share of the loudest are dropped from every representation (dropQuietColumns). */
export const TOKEN_XOR_QUIET_COLUMNS = 0.05;

/** A model's representation on the probes (probes × columns), quiet columns dropped. */
export function tokenXorRepresentation(model: Transformer, probes: TokenXorProbes, site: TokenXorSite = "mlp0", corr?: Correspondence, quiet = TOKEN_XOR_QUIET_COLUMNS): Mat {
  return dropQuietColumns(rawRepresentation(model, probes, site, corr), quiet);
}

function rawRepresentation(model: Transformer, probes: TokenXorProbes, site: TokenXorSite, corr?: Correspondence): Mat {
  if (!TOKEN_XOR_SITES.includes(site)) throw new InputError(`tokenXorRepresentation: site must be one of ${TOKEN_XOR_SITES.join(", ")}, got ${JSON.stringify(site)}.`);
  if ((site === "circuit" || site.startsWith("interchange")) && !corr) throw new InputError(`tokenXorRepresentation: site "${site}" needs the model's correspondence.`);
  const n = probes.tokens.length;
  const T = TOKEN_XOR_LENGTH + 1;
  if (site === "interchange" || site === "interchange-pairs") return interchangeRepresentation(model, probes, corr!, site === "interchange-pairs");
  const iv = [probeEmbeddingIntervention(model, probes)];
  if (site === "residual") {
    const L = model.config.nLayers;
    const names = [...Array.from({ length: L }, (_, l) => `blocks.${l}.hook_resid_pre`), `blocks.${L - 1}.hook_resid_post`];
    const acc = accumulatedResidual(runTransformerWithCache(model, probes.tokens, { interventions: iv, names }).cache);
    const D = model.config.dModel;
    const out = mat(n, (L + 1) * D);
    for (let l = 0; l <= L; l++)
      for (let r = 0; r < n; r++)
        for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) out.v[r * out.d + l * D + d] += acc.data[((l * n + r) * T + t) * D + d] / T;
    return out;
  }
  const hook = "blocks.0.mlp.hook_post";
  const post = runTransformerWithCache(model, probes.tokens, { interventions: iv, names: [hook] }).cache[hook];
  const M = model.config.dMlp;
  const cols = site === "circuit" ? circuitNeurons(corr!) : Array.from({ length: M }, (_, j) => j);
  const out = mat(n, cols.length);
  for (let r = 0; r < n; r++) cols.forEach((j, c) => (out.v[r * cols.length + c] = post.data[(r * T + T - 1) * M + j]));
  return out;
}

/**
 * The causal representation ("interchange"): each probe (its discrete tokens, the base) is paired with another probe
 * (the source, a seeded permutation); one column per group of block-0 MLP neurons that the correspondence gives one
 * variable (the groups' names are not read), holding the last position's logit difference (class 1 − class 0) when
 * that group takes its values from the source run. What a variable does when swapped, rather than how it is encoded.
 * With `pairs` ("interchange-pairs"), every two groups swapped together add a column each (joint interventions tell
 * apart variables whose single swaps look alike, e.g. C1's OR and C3's a and b beside the AND both share).
 */
export function interchangeRepresentation(model: Transformer, probes: TokenXorProbes, corr: Correspondence, pairs = false): Mat {
  const n = probes.tokens.length;
  const T = TOKEN_XOR_LENGTH + 1;
  const V = model.config.dVocabOut;
  const perm = new Rng(deriveSeed(n, "token-xor", "interchange-sources")).permutation(n);
  const sources = Array.from(perm, (r) => probes.tokens[r]);
  const single = Object.values(corr)
    .map((sites) => sites.flatMap((s) => (s.layer === 0 && s.component === "mlp" ? s.neurons : [])))
    .filter((g) => g.length > 0);
  const groups = pairs ? [...single, ...single.flatMap((g, i) => single.slice(i + 1).map((h) => [...g, ...h].sort((x, y) => x - y)))] : single;
  const hook = "blocks.0.mlp.hook_post";
  const M = model.config.dMlp;
  // one source run; each group then takes its values from it (a `set` with per-row values is the interchange)
  const src = runTransformerWithCache(model, sources, { names: [hook] }).cache[hook].data;
  const out = mat(n, groups.length);
  groups.forEach((units, c) => {
    const values = new Float32Array(n * T * units.length);
    for (let r = 0; r < n; r++) for (let t = 0; t < T; t++) units.forEach((j, k) => (values[(r * T + t) * units.length + k] = src[(r * T + t) * M + j]));
    const iv: TransformerIntervention = { kind: "set", site: { hook, units }, rowValues: values };
    const logits = runTransformerWithCache(model, probes.tokens, { interventions: [iv], names: [] }).logits.data;
    for (let r = 0; r < n; r++) out.v[r * groups.length + c] = logits[(r * T + T - 1) * V + 1] - logits[(r * T + T - 1) * V];
  });
  return out;
}

/** s[i][j] = ridge √R² of j's representation from i's (held-out, seeded per pair); diagonal 1. */
export function ridgeSimilarityMatrix(reps: readonly Mat[], seed = 0): number[][] {
  const n = reps.length;
  const s = Array.from({ length: n }, () => new Array<number>(n).fill(1));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const ps = pairSeed(seed, i, j);
      s[i][j] = ridgePredictivity(reps[i], reps[j], { seed: ps });
      s[j][i] = ridgePredictivity(reps[j], reps[i], { seed: ps });
    }
  return s;
}

function checkSquare(d: readonly (readonly number[])[], what: string): number {
  const n = d.length;
  if (!Array.isArray(d) || n === 0 || d.some((row) => !Array.isArray(row) || row.length !== n || row.some((x) => !Number.isFinite(x))))
    throw new InputError(`${what}: expected a non-empty square matrix of finite numbers.`);
  return n;
}

/**
 * Average-linkage agglomerative clustering of a symmetric distance matrix into k clusters: cluster labels 0…k−1
 * per item, numbered by first appearance. Deterministic (ties: the pair met first).
 */
export function averageLinkage(dist: readonly (readonly number[])[], k: number): number[] {
  const n = checkSquare(dist, "averageLinkage");
  if (!Number.isInteger(k) || k < 1 || k > n) throw new InputError(`averageLinkage: k must be an integer in 1…${n}, got ${k}.`);
  // each merge re-reads every pair of items: about n³ steps in all
  const limit = 400;
  if (n > limit) throw new BudgetError(`averageLinkage: ${n} items need about ${n ** 3} steps (~${((n ** 3) / 1e8).toFixed(0)} s); cluster at most ${limit} items.`, n ** 3, limit ** 3, n ** 3 / 1e8);
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const linkage = (a: number[], b: number[]) => {
    let s = 0;
    for (const i of a) for (const j of b) s += (dist[i][j] + dist[j][i]) / 2;
    return s / (a.length * b.length);
  };
  while (clusters.length > k) {
    let best = Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < clusters.length; i++)
      for (let j = i + 1; j < clusters.length; j++) {
        const d = linkage(clusters[i], clusters[j]);
        if (d < best) {
          best = d;
          bi = i;
          bj = j;
        }
      }
    const merged = [...clusters[bi], ...clusters[bj]].sort((a, b) => a - b);
    clusters = clusters.filter((_, c) => c !== bi && c !== bj);
    clusters.push(merged);
  }
  const label = new Array<number>(n).fill(-1);
  clusters.sort((a, b) => a[0] - b[0]).forEach((c, ci) => c.forEach((i) => (label[i] = ci)));
  return label;
}

/** What the estimator needs of a model: its weights, the imposed class and its correspondence. */
export interface TokenXorMember {
  key: string;
  cls: XorClass;
  model: Transformer;
  correspondence: Correspondence;
}

export interface TokenXorClusteringOptions {
  site?: TokenXorSite;
  probes?: TokenXorProbeOptions;
  /** dropQuietColumns' share (default TOKEN_XOR_QUIET_COLUMNS). */
  quiet?: number;
  /** Compare the variation around each corner (centreByCorner) instead of the raw representations (default false). */
  centre?: boolean;
  seed?: number;
  /** Point-test draws and bootstraps (defaults 20 and 40, as the paper). */
  draws?: number;
  bootstraps?: number;
}

export interface TokenXorClustering {
  keys: string[];
  /** Imposed class per model. */
  classes: XorClass[];
  site: TokenXorSite;
  /** s[i][j] = ridge score of j's representation from i's. */
  similarity: number[][];
  /** Two-way similarity (minimum of both directions), what the clustering reads (distance 1 − it). */
  twoWay: number[][];
  /** Cluster label per model (0…2, by first appearance). */
  clusters: number[];
  ari: number;
  /** Mean two-way similarity within a class and between classes. */
  withinMean: number;
  betweenMean: number;
  /** Point test per ordered pair of classes [A][B]: detection rate (on the diagonal: A against itself, the null). */
  detection: Record<XorClass, Record<XorClass, number>>;
  probes: number;
}

/** The estimator on a population: similarity, clustering into three, ARI against the classes, point tests. */
export function tokenXorClustering(members: readonly TokenXorMember[], opts: TokenXorClusteringOptions = {}): TokenXorClustering {
  if (!Array.isArray(members) || members.length < 3) throw new InputError(`tokenXorClustering: need at least 3 models (one per class), got ${members?.length}.`);
  for (const m of members) if (!XOR_CLASSES.includes(m?.cls)) throw new InputError(`tokenXorClustering: model ${m?.key} has class ${JSON.stringify(m?.cls)}; use one of ${XOR_CLASSES.join(", ")}.`);
  const site = opts.site ?? "mlp0";
  const seed = opts.seed ?? 0;
  const probes = tokenXorProbes({ seed, ...opts.probes });
  const reps = members.map((m) => {
    if (!opts.centre) return tokenXorRepresentation(m.model, probes, site, m.correspondence, opts.quiet);
    // quiet columns are judged on what is compared: after centring
    return dropQuietColumns(centreByCorner(tokenXorRepresentation(m.model, probes, site, m.correspondence, 0), probes), opts.quiet ?? TOKEN_XOR_QUIET_COLUMNS);
  });
  const similarity = ridgeSimilarityMatrix(reps, seed);
  const twoWay = similarity.map((row, i) => row.map((v, j) => Math.min(v, similarity[j][i])));
  const clusters = averageLinkage(
    twoWay.map((row) => row.map((v) => 1 - v)),
    3,
  );
  const classes = members.map((m) => m.cls);
  let within = 0;
  let nw = 0;
  let between = 0;
  let nb = 0;
  for (let i = 0; i < members.length; i++)
    for (let j = i + 1; j < members.length; j++) {
      if (classes[i] === classes[j]) {
        within += twoWay[i][j];
        nw++;
      } else {
        between += twoWay[i][j];
        nb++;
      }
    }
  const idx = (c: XorClass) => classes.map((x, i) => (x === c ? i : -1)).filter((i) => i >= 0);
  const detection = {} as Record<XorClass, Record<XorClass, number>>;
  for (const A of XOR_CLASSES) {
    detection[A] = {} as Record<XorClass, number>;
    for (const B of XOR_CLASSES) {
      const a = idx(A);
      const b = idx(B);
      detection[A][B] = a.length >= 2 && b.length >= (A === B ? 3 : 1) ? pointTest(similarity, a, b, { draws: opts.draws, bootstraps: opts.bootstraps, seed: deriveSeed(seed, "point-test", A, B) }).detectionRate : NaN;
    }
  }
  return {
    keys: members.map((m) => m.key),
    classes,
    site,
    similarity,
    twoWay,
    clusters,
    ari: adjustedRandIndex(classes, clusters),
    withinMean: nw ? within / nw : NaN,
    betweenMean: nb ? between / nb : NaN,
    detection,
    probes: probes.tokens.length,
  };
}

/**
 * The estimator settings compared on the population (docs/equivalence-design.md, EQUIVALENCE 8): the
 * representational sites, wider probes, two attempts to remove what every implementation shares, and the causal
 * representation (also on the models of one width alone, `dHead`).
 */
export const TOKEN_XOR_SETTINGS: readonly { name: string; options: TokenXorClusteringOptions; dHead?: number }[] = [
  { name: "mlp0", options: { site: "mlp0" } },
  { name: "circuit", options: { site: "circuit" } },
  { name: "residual", options: { site: "residual" } },
  { name: "mlp0, σ 0.3", options: { site: "mlp0", probes: { sigma: 0.3 } } },
  { name: "mlp0, corner-centred, fixed background", options: { site: "mlp0", centre: true, probes: { background: "fixed" } } },
  { name: "circuit, corner-centred, fixed background", options: { site: "circuit", centre: true, probes: { background: "fixed" } } },
  { name: "interchange", options: { site: "interchange" } },
  { name: "interchange, pairs", options: { site: "interchange-pairs" } },
  { name: "interchange, d_head 2 only", options: { site: "interchange" }, dHead: 2 },
];
