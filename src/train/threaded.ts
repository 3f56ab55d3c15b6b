/**
 * The blocked kernel on two threads (the fast engine's `threads: 2`): each batch's rows are split between this thread
 * and one worker thread, which share the parameters through a SharedArrayBuffer; each thread sums its rows' gradients
 * in its own buffer, then each takes half of the parameters, adds the two partial sums there and applies Adam to that
 * half. Adam is elementwise, so halving it changes nothing; the only numerical difference from one thread is that a
 * batch's gradient is (first rows' sum) + (last rows' sum) instead of one running sum (float rounding; tested within
 * a tolerance). The same seed with the same thread count gives the same numbers. The threads meet twice per batch
 * on Atomics.wait / notify, so the synchronous training API stays synchronous.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker, isMainThread, workerData } from "node:worker_threads";
import { assertFreshBuild } from "../freshness";
import { AdamW, AdamWHyper } from "./adamw";
import { SparseRows, blockedBatch, blockedScratch } from "./blocked";

const WORKER_KIND = "mi-identifiability:blocked-batch";
// Control words (Int32): command sequence, command, first row, rows, worker's done sequence, ready, failed.
const SEQ = 0;
const CMD = 1;
const FROM = 2;
const ROWS = 3;
const DONE = 4;
const READY = 5;
const FAILED = 6;
const BATCH = 1;
const ADAM = 2;
const QUIT = 3;
/** A worker that does not answer within this time has failed (its error is reported on stderr). */
const WAIT_MS = 120_000;

interface Shared {
  sizes: number[];
  slope: number;
  maxRows: number;
  hyper: AdamWHyper;
  x: Float32Array;
  y: Float32Array;
  sparse: SparseRows | null;
  /** Every weight array then every bias array, float32. */
  params: SharedArrayBuffer;
  /** Gradient sums of thread 0 and thread 1, float64, aligned with params. */
  grads: [SharedArrayBuffer, SharedArrayBuffer];
  order: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** [scale, squared-error sum of the worker's rows]. */
  numbers: SharedArrayBuffer;
  /** Adam's split: thread 0 updates params [0, half), thread 1 [half, end). */
  half: number;
}

/** Views of the flat buffers as per-layer arrays: weights of every layer, then biases of every layer. */
function layerViews<T extends Float32Array | Float64Array>(sizes: readonly number[], make: (offset: number, length: number) => T): { W: T[]; b: T[] } {
  const W: T[] = [];
  const b: T[] = [];
  let off = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    W.push(make(off, sizes[l] * sizes[l + 1]));
    off += sizes[l] * sizes[l + 1];
  }
  for (let l = 1; l < sizes.length; l++) {
    b.push(make(off, sizes[l]));
    off += sizes[l];
  }
  return { W, b };
}

const paramCount = (sizes: readonly number[]) => sizes.slice(1).reduce((t, s, l) => t + s * (sizes[l] + 1), 0);

/** What one thread holds: its views, its scratch, its Adam over its half of the parameters. */
function threadState(s: Shared, thread: 0 | 1) {
  const n = paramCount(s.sizes);
  const p = layerViews(s.sizes, (o, len) => new Float32Array(s.params, o * 4, len));
  const mine = new Float64Array(s.grads[thread]);
  const other = new Float64Array(s.grads[1 - thread]);
  const g = layerViews(s.sizes, (o, len) => new Float64Array(s.grads[thread], o * 8, len));
  const [lo, hi] = thread === 0 ? [0, s.half] : [s.half, n];
  const flat = new Float32Array(s.params);
  const adam = new AdamW([flat.subarray(lo, hi)], s.hyper);
  const gHalf = [mine.subarray(lo, hi)];
  const scratch = blockedScratch(s.sizes, s.maxRows);
  const order = new Uint32Array(s.order);
  return {
    /** This thread's rows of a batch: gradient sums into its own buffer; returns the squared-error sum. */
    rows(from: number, rows: number, scale: number): number {
      mine.fill(0);
      return blockedBatch(s.sizes, p.W, p.b, g.W, g.b, s.x, s.y, order, from, rows, scale, s.slope, scratch, s.sparse);
    },
    /** Both partial sums on this thread's half, then Adam there. */
    adam(): void {
      for (let i = lo; i < hi; i++) mine[i] += other[i];
      adam.step(gHalf);
    },
  };
}

/** The compiled worker: this file in dist/, or dist/train/threaded.js when running from src/ (tsx). */
function workerFile(): string {
  const candidates = [path.join(__dirname, "threaded.js"), path.resolve(__dirname, "..", "..", "dist", "train", "threaded.js")];
  const f = candidates.find((c) => fs.existsSync(c));
  if (!f) throw new Error(`Training with threads: 2 runs a worker from the built library, which is missing (${candidates[1]}): run \`npm run build\`, or train with threads: 1.`);
  assertFreshBuild("The training worker thread");
  return f;
}

function waitFor(ctl: Int32Array, index: number, value: number, who: string): void {
  const t0 = Date.now();
  for (;;) {
    const v = Atomics.load(ctl, index);
    if (v === value) return;
    if (Atomics.load(ctl, FAILED)) throw new Error(`${who}: the training worker thread failed (its error is on stderr).`);
    if (Date.now() - t0 > WAIT_MS) throw new Error(`${who}: the training worker thread did not answer within ${WAIT_MS / 1000} s.`);
    Atomics.wait(ctl, index, v, 1000);
  }
}

export interface BatchTeam {
  /** The parameters (shared with the worker): weights of every layer, then biases, per-layer views. */
  W: Float32Array[];
  b: Float32Array[];
  /** The epoch's row order (copied into the shared buffer). */
  setOrder(order: Uint32Array): void;
  /** One batch (rows from … from + rows − 1 of the order) on both threads, then the Adam step; the squared-error sum. */
  batch(from: number, rows: number, scale: number): number;
  dispose(): void;
}

/**
 * Starts the worker and returns the team; `W`, `b` are copied into the shared parameters. The worker is stopped by
 * dispose() (the training loop calls it when training ends, also on error).
 */
export function batchTeam(sizes: readonly number[], W: readonly Float32Array[], b: readonly Float32Array[], x: Float32Array, y: Float32Array, n: number, maxRows: number, slope: number, sparse: SparseRows | null, hyper: AdamWHyper): BatchTeam {
  const count = paramCount(sizes);
  const shared: Shared = {
    sizes: [...sizes],
    slope,
    maxRows,
    hyper: { lr: hyper.lr, weightDecay: hyper.weightDecay, beta1: hyper.beta1, beta2: hyper.beta2, eps: hyper.eps, optimizer: hyper.optimizer },
    x,
    y,
    sparse,
    params: new SharedArrayBuffer(count * 4),
    grads: [new SharedArrayBuffer(count * 8), new SharedArrayBuffer(count * 8)],
    order: new SharedArrayBuffer(n * 4),
    control: new SharedArrayBuffer(8 * 4),
    numbers: new SharedArrayBuffer(2 * 8),
    half: Math.floor(count / 2),
  };
  const views = layerViews(sizes, (o, len) => new Float32Array(shared.params, o * 4, len));
  views.W.forEach((v, l) => v.set(W[l]));
  views.b.forEach((v, l) => v.set(b[l]));
  const ctl = new Int32Array(shared.control);
  const num = new Float64Array(shared.numbers);
  const order = new Uint32Array(shared.order);
  const me = threadState(shared, 0);
  const worker = new Worker(workerFile(), { workerData: { kind: WORKER_KIND, shared } });
  worker.unref();
  worker.on("error", (e) => {
    console.error(e);
    Atomics.store(ctl, FAILED, 1);
    Atomics.notify(ctl, DONE);
  });
  let ready = false;
  let seq = 0;
  const command = (cmd: number) => {
    ctl[CMD] = cmd;
    seq = Atomics.add(ctl, SEQ, 1) + 1;
    Atomics.notify(ctl, SEQ);
  };
  return {
    W: views.W,
    b: views.b,
    setOrder(o: Uint32Array) {
      order.set(o);
    },
    batch(from: number, rows: number, scale: number): number {
      if (!ready) {
        waitFor(ctl, READY, 1, "train (threads: 2)");
        ready = true;
      }
      const mine = Math.ceil(rows / 2);
      ctl[FROM] = from + mine;
      ctl[ROWS] = rows - mine;
      num[0] = scale;
      command(BATCH);
      let sq = me.rows(from, mine, scale);
      waitFor(ctl, DONE, seq, "train (threads: 2)");
      sq += num[1];
      command(ADAM);
      me.adam();
      waitFor(ctl, DONE, seq, "train (threads: 2)");
      return sq;
    },
    dispose() {
      command(QUIT);
      void worker.terminate();
    },
  };
}

/** The worker's side: waits for a command, runs it on its rows or its half of the parameters, reports done. */
function serve(shared: Shared): void {
  const ctl = new Int32Array(shared.control);
  const num = new Float64Array(shared.numbers);
  try {
    const me = threadState(shared, 1);
    Atomics.store(ctl, READY, 1);
    Atomics.notify(ctl, READY);
    let seen = 0;
    for (;;) {
      Atomics.wait(ctl, SEQ, seen);
      seen = Atomics.load(ctl, SEQ);
      const cmd = ctl[CMD];
      if (cmd === QUIT) return;
      if (cmd === BATCH) num[1] = me.rows(ctl[FROM], ctl[ROWS], num[0]);
      else if (cmd === ADAM) me.adam();
      Atomics.store(ctl, DONE, seen);
      Atomics.notify(ctl, DONE);
    }
  } catch (e) {
    Atomics.store(ctl, FAILED, 1);
    Atomics.notify(ctl, DONE);
    throw e;
  }
}

if (!isMainThread && workerData && workerData.kind === WORKER_KIND) serve(workerData.shared as Shared);
