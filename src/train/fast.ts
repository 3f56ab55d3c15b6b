/**
 * The fast engine: forward, backward and AdamW on typed arrays, one row at a time (the models have tens of
 * parameters, so per-row loops beat any matrix library). Float32 semantics by storage: parameters, moments and
 * activations live in Float32Arrays (rounded after every layer and every update, as PyTorch's float32 tensors
 * are); sums inside one dot product and the batch gradient sums are accumulated in float64, which differs from
 * float32 accumulation by rounding only. Small networks run the same computation as a kernel generated for their
 * architecture (unrolled.ts, bit-identical, several times faster); large networks run the batch kernel of blocked.ts
 * (bit-identical, weights read once per block of rows); these per-row loops are the reference both are tested against.
 * Two options of the batch kernel change the order of some sums, so they match it within float rounding, not bit for
 * bit: a sparse first layer for inputs that are mostly one value (MNIST, on by default there) and two threads.
 */
import { MLP, LEAKY_SLOPE, cloneMLP } from "../model";
import { Dataset } from "../tasks";
import { EpochRunner, ResolvedOptions } from "./loop";
import { AdamW } from "./adamw";
import { unrolledKernel } from "./unrolled";
import { batchTeam } from "./threaded";
import { SPARSE_MAX_DENSITY, SPARSE_MIN_INPUTS, SparseRows, blockedBatch, blockedScratch, sparseRows } from "./blocked";

/** How the fast engine runs a batch; the defaults choose by the network's and the data's shape. */
export interface FastKernelOptions {
  /** false: not the generated kernel of unrolled.ts (small networks use it by default). */
  unrolled?: boolean;
  /** false: not the batch kernel of blocked.ts either, the generic per-row loops (the reference of both). */
  blocked?: boolean;
  /**
   * The blocked kernel's sparse first layer (blocked.ts): true / false force it on or off; by default on when the
   * input layer is at least SPARSE_MIN_INPUTS wide and at most SPARSE_MAX_DENSITY of the training inputs differ from
   * their commonest value (MNIST digits). It differs from the dense kernel by float rounding only.
   */
  sparseInput?: boolean;
}

/** The sparse form of the training inputs when the blocked kernel should use it (see FastKernelOptions). */
export function chooseSparseInput(sizes: readonly number[], train: Dataset, setting: boolean | undefined): SparseRows | null {
  if (setting === false || (setting === undefined && sizes[0] < SPARSE_MIN_INPUTS)) return null;
  const sp = sparseRows(train.x, train.n, sizes[0]);
  return setting === true || sp.density <= SPARSE_MAX_DENSITY ? sp : null;
}

/**
 * `unrolled: false` / `blocked: false` force the generic per-row loops (tests compare all three); by default small
 * networks use unrolled.ts and the others blocked.ts, with a sparse first layer on sparse inputs.
 */
export function fastRunner(init: MLP, train: Dataset, o: ResolvedOptions, opts: FastKernelOptions = {}): EpochRunner {
  const m = cloneMLP(init);
  const sizes = m.layerSizes;
  const L = sizes.length - 1;
  const nIn = sizes[0];
  const nOut = sizes[L];
  const W = m.weights;
  const b = m.biases;
  // Gradient sums over a batch (float64), one per parameter array.
  const gW = W.map((w) => new Float64Array(w.length));
  const gb = b.map((v) => new Float64Array(v.length));
  const opt = new AdamW([...W, ...b], o);
  const grads: Float64Array[] = [...gW, ...gb];
  // acts[l]: activations of layer l for the current row (acts[0] = inputs); delta[l]: dLoss/dpre-activation.
  const acts = sizes.map((s) => new Float32Array(s));
  const delta = sizes.map((s) => new Float64Array(s));
  const x = train.x;
  const y = train.y;
  const n = train.n;
  const bs = o.batchSize;
  const kernel = opts.unrolled === false ? null : unrolledKernel(sizes, LEAKY_SLOPE);
  const blocked = !kernel && opts.blocked !== false ? blockedScratch(sizes, Math.min(o.batchSize, n)) : null;
  const sparse = blocked ? chooseSparseInput(sizes, train, opts.sparseInput) : null;
  const params = [...W, ...b];
  const slope = LEAKY_SLOPE; // a local: imported bindings are property reads (getters under tsx) in the hot loop
  // Two threads: the team holds the parameters (shared with its worker) and takes the Adam steps itself.
  const team = blocked && o.threads === 2 ? batchTeam(sizes, W, b, x, y, n, Math.min(o.batchSize, n), slope, sparse, o) : null;

  function runEpoch(order: Uint32Array): Float64Array {
    const nBatches = Math.ceil(n / bs);
    const losses = new Float64Array(nBatches);
    team?.setOrder(order);
    for (let bi = 0; bi < nBatches; bi++) {
      const from = bi * bs;
      const to = Math.min(n, from + bs);
      const scale = 1 / ((to - from) * nOut); // MSELoss(reduction="mean") over rows and outputs
      if (team) {
        losses[bi] = Math.fround(team.batch(from, to - from, scale) * scale);
        continue;
      }
      if (kernel) {
        losses[bi] = Math.fround(kernel(params, grads, x, y, order, from, to - from, scale) * scale);
        opt.step(grads);
        continue;
      }
      for (const g of grads) g.fill(0);
      if (blocked) {
        losses[bi] = Math.fround(blockedBatch(sizes, W, b, gW, gb, x, y, order, from, to - from, scale, slope, blocked, sparse) * scale);
        opt.step(grads);
        continue;
      }
      let sq = 0;
      for (let k = from; k < to; k++) {
        const r = order[k];
        // forward
        const a0 = acts[0];
        for (let j = 0; j < nIn; j++) a0[j] = x[r * nIn + j];
        for (let l = 0; l < L; l++) {
          const nin = sizes[l];
          const nout = sizes[l + 1];
          const w = W[l];
          const bl = b[l];
          const ain = acts[l];
          const aout = acts[l + 1];
          for (let oo = 0; oo < nout; oo++) {
            let acc = 0;
            const base = oo * nin;
            for (let j = 0; j < nin; j++) acc += w[base + j] * ain[j];
            acc += bl[oo];
            aout[oo] = acc > 0 ? acc : acc * slope;
          }
        }
        // loss and output delta (LeakyReLU' taken on the sign, as torch: 1 where pre-activation > 0, else slope)
        const out = acts[L];
        const dL = delta[L];
        for (let oo = 0; oo < nOut; oo++) {
          const e = out[oo] - y[r * nOut + oo];
          sq += e * e;
          dL[oo] = 2 * e * scale * (out[oo] > 0 ? 1 : slope);
        }
        // backward
        for (let l = L - 1; l >= 0; l--) {
          const nin = sizes[l];
          const nout = sizes[l + 1];
          const w = W[l];
          const gw = gW[l];
          const gbl = gb[l];
          const ain = acts[l];
          const dout = delta[l + 1];
          for (let oo = 0; oo < nout; oo++) {
            const d = dout[oo];
            gbl[oo] += d;
            const base = oo * nin;
            for (let j = 0; j < nin; j++) gw[base + j] += d * ain[j];
          }
          if (l > 0) {
            const din = delta[l];
            for (let j = 0; j < nin; j++) {
              let acc = 0;
              for (let oo = 0; oo < nout; oo++) acc += w[oo * nin + j] * dout[oo];
              din[j] = acc * (ain[j] > 0 ? 1 : slope);
            }
          }
        }
      }
      losses[bi] = Math.fround(sq * scale);
      opt.step(grads);
    }
    return losses;
  }

  const model = (): MLP => {
    if (team) {
      team.W.forEach((w, l) => W[l].set(w));
      team.b.forEach((v, l) => b[l].set(v));
    }
    return cloneMLP(m);
  };
  return { runEpoch, model, ...(team ? { dispose: () => team.dispose() } : {}) };
}
