/**
 * Strict interchange-intervention training (SIIT, InterpBench): makes a transformer implement a RASP program through
 * a correspondence. Per batch of (base, source) input pairs, three losses, each with its own backward pass and
 * optimizer step (global-norm gradient clipping, then torch.optim.Adam), in this order:
 * 1. behaviour: cross-entropy of the base run against the program's output (weight `behaviorWeight`, 1);
 * 2. IIT: one high-level node drawn per batch, its heads / MLP neurons patched from the source run (every position),
 *    cross-entropy against the program's output with that node set to its source value (weight `iitWeight`, 1);
 * 3. strict: one low-level node outside the circuit drawn per batch (evaluate.ts: an unmapped head, or a layer's
 *    unmapped neurons), patched from the source run; the base label must not change (weight `strictWeight`, 0.4,
 *    applied once under `strictWeighting: "paper"` or twice, 0.16 in effect, under `"released"` as InterpBench's code
 *    does).
 * The source activations come from one no-gradient run per batch (after the behaviour step), shared by 2 and 3.
 * Scored positions: 1…length (BOS is not scored). Same seed and backend: same model.
 *
 * After every epoch the model is evaluated (evaluateTransformer on fixed pairs): accuracy, IIA per node, strict
 * accuracy; training stops early once accuracy and mean IIA both reach `stopAt`.
 */
import { Rng, deriveSeed } from "../rng";
import { InputError } from "../errors";
import { BackendName, loadTf } from "../backend";
import { RaspProgram, computedNodes, programLabels, runProgram, sampleInputs, withBos } from "../rasp/program";
import { ComponentSite, Correspondence, constantCorrespondence, interpBenchConfig, validateCorrespondence } from "../rasp/correspondence";
import { Transformer, TransformerConfig, initTransformer } from "./types";
import { TfPatch, TfTransformer, tfCrossEntropy, tfTransformer } from "./tfjs";
import { Tokens } from "./interventions";
import { predictTokens } from "./forward";
import { TransformerScores, checkModelFitsProgram, evaluateTransformer, offCircuitNodes } from "./evaluate";

/** Backend for transformer training when none is asked for (bench/transformer.ts measures cpu against wasm). */
export const TRANSFORMER_DEFAULT_BACKEND: BackendName = "wasm";

export interface SiitOptions {
  seed: number;
  /** Maximum epochs. */
  epochs: number;
  batchSize: number;
  /** Training inputs drawn per epoch set (sampleInputs; the pairs are re-drawn each epoch). */
  nTrain: number;
  /** Pairs of the per-epoch evaluation. */
  nEval: number;
  lr: number;
  beta1: number;
  beta2: number;
  /** Global gradient-norm clip. */
  clip: number;
  behaviorWeight: number;
  iitWeight: number;
  strictWeight: number;
  /** "paper": strictWeight once (0.4); "released": twice (0.4 × 0.4 = 0.16), as InterpBench's code. */
  strictWeighting: "paper" | "released";
  /** Stop once accuracy and mean IIA are both ≥ this (1: never early). */
  stopAt: number;
  backend?: BackendName;
}

export type SiitPresetName = "quick" | "standard";

/**
 * `standard`: InterpBench's optimiser settings (Adam lr 1e-3, betas 0.9/0.9, clip 0.1) and loss weights, up to 30
 * epochs. `quick`: one model in about a minute on 2 cores (notebooks): the same but lr 1e-2 and up to 6 epochs (at
 * lr 1e-3 the small cases need about 10 epochs; 1e-2 reaches them in 2–3, docs/transformer-training.md).
 */
export function siitPreset(name: SiitPresetName = "standard", overrides: Partial<SiitOptions> = {}): SiitOptions {
  const common = { seed: 0, lr: 1e-3, beta1: 0.9, beta2: 0.9, clip: 0.1, behaviorWeight: 1, iitWeight: 1, strictWeight: 0.4, strictWeighting: "paper" as const, nEval: 256 };
  const sizes: Record<SiitPresetName, Pick<SiitOptions, "epochs" | "batchSize" | "nTrain" | "stopAt"> & { lr?: number }> = {
    quick: { epochs: 6, batchSize: 128, nTrain: 2048, stopAt: 0.95, lr: 1e-2 },
    standard: { epochs: 30, batchSize: 128, nTrain: 2048, stopAt: 0.98 },
  };
  if (!Object.hasOwn(sizes, name)) throw new InputError(`siitPreset: unknown preset "${name}"; use "quick" or "standard".`);
  return { ...common, ...sizes[name], ...overrides };
}

export interface SiitEpochRow {
  epoch: number;
  /** Mean losses over the epoch's batches (before each step). */
  behaviorLoss: number;
  iitLoss: number;
  strictLoss: number;
  accuracy: number;
  iia: Record<string, number>;
  iiaMean: number;
  strictAccuracy: number | null;
  /** Seconds since training began. */
  seconds: number;
}

export interface SiitResult {
  model: Transformer;
  program: string;
  correspondence: Correspondence;
  options: SiitOptions;
  backend: BackendName;
  epochs: SiitEpochRow[];
  /** The final evaluation (the last epoch's). */
  scores: TransformerScores;
  stoppedEarly: boolean;
  seconds: number;
}

export interface TrainSiitArgs {
  program: RaspProgram;
  /** Default: interpBenchConfig(program). */
  config?: TransformerConfig;
  /** Default: constantCorrespondence(program, config). */
  correspondence?: Correspondence;
  options?: Partial<SiitOptions>;
  /** Start from these weights instead of a fresh initialisation (seeded from options.seed). */
  init?: Transformer;
  onEpoch?: (row: SiitEpochRow, total: number) => void;
  /** Called after every batch (progress displays). */
  onBatch?: (batch: number, batchesPerEpoch: number, epoch: number) => void;
  signal?: AbortSignal;
}

/** Masks of a set of components on their hooks (per-row shapes), positions 0…T−1. */
function componentMasks(config: TransformerConfig, T: number, sites: readonly ComponentSite[]): Map<string, Float32Array> {
  const masks = new Map<string, Float32Array>();
  for (const s of sites) {
    const hook = s.component === "attn" ? `blocks.${s.layer}.attn.hook_z` : `blocks.${s.layer}.mlp.hook_post`;
    const width = s.component === "attn" ? config.nHeads * config.dHead : config.dMlp;
    const m = masks.get(hook) ?? new Float32Array(T * width);
    for (let t = 0; t < T; t++) {
      if (s.component === "attn") for (const h of s.heads) for (let e = 0; e < config.dHead; e++) m[t * width + h * config.dHead + e] = 1;
      else for (const j of s.neurons) m[t * width + j] = 1;
    }
    masks.set(hook, m);
  }
  return masks;
}

function checkOptions(o: SiitOptions): void {
  for (const k of ["epochs", "batchSize", "nTrain", "nEval"] as const) if (!Number.isInteger(o[k]) || o[k] < 1) throw new InputError(`SIIT option ${k} must be a positive integer, got ${o[k]}.`);
  for (const k of ["lr", "clip"] as const) if (!(o[k] > 0)) throw new InputError(`SIIT option ${k} must be positive, got ${o[k]}.`);
  for (const k of ["beta1", "beta2"] as const) if (!(o[k] >= 0 && o[k] < 1)) throw new InputError(`SIIT option ${k} must be in [0, 1), got ${o[k]}.`);
  for (const k of ["behaviorWeight", "iitWeight", "strictWeight"] as const) if (!(o[k] >= 0)) throw new InputError(`SIIT option ${k} must be ≥ 0, got ${o[k]}.`);
  if (o.strictWeighting !== "paper" && o.strictWeighting !== "released") throw new InputError(`SIIT option strictWeighting must be "paper" or "released", got ${JSON.stringify(o.strictWeighting)}.`);
  if (!(o.stopAt > 0 && o.stopAt <= 1)) throw new InputError(`SIIT option stopAt must be in (0, 1], got ${o.stopAt}.`);
}

export async function trainSiit(args: TrainSiitArgs): Promise<SiitResult> {
  const { program } = args;
  if (!program || !Array.isArray(program.nodes)) throw new InputError("trainSiit: program must be a RaspProgram (RASP_CASES[id].program).");
  const o = siitPreset("standard", args.options ?? {});
  checkOptions(o);
  const config = args.config ?? interpBenchConfig(program);
  const corr = validateCorrespondence(program, config, args.correspondence ?? constantCorrespondence(program, config));
  const init = args.init ?? initTransformer(config, deriveSeed(o.seed, "siit", "init"));
  checkModelFitsProgram(init, program);
  const { tf, backend } = await loadTf(o.backend ?? TRANSFORMER_DEFAULT_BACKEND);
  const started = Date.now();
  const nodes = computedNodes(program).map((n) => n.name);
  const off = offCircuitNodes(init, corr);
  const T = program.length + 1;
  const iitMasks = new Map(nodes.map((n) => [n, componentMasks(config, T, corr[n])]));
  const offMasks = off.map((n) => componentMasks(config, T, n.sites));
  const strictScale = o.strictWeight * (o.strictWeighting === "released" ? o.strictWeight : 1);
  const rng = new Rng(deriveSeed(o.seed, "siit", "batches"));
  const inputs = sampleInputs(program, o.nTrain, new Rng(deriveSeed(o.seed, "siit", "data")));
  const runs = inputs.map((t) => runProgram(program, t));
  const tokens = inputs.map((t) => withBos(program, t));
  const labels = runs.map((r) => [-1, ...programLabels(program, r.output)]);
  const tm = tfTransformer(tf, init, { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: 1e-8, clip: o.clip });
  const predictor = tfPredictor(tf, tm);
  const evalOpts = { nPairs: o.nEval, seed: deriveSeed(o.seed, "siit", "eval"), predict: predictor };
  const epochs: SiitEpochRow[] = [];
  let scores: TransformerScores | undefined;
  let stoppedEarly = false;
  const nBatches = Math.ceil(o.nTrain / o.batchSize);
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = rng.permutation(o.nTrain);
      const partner = rng.permutation(o.nTrain);
      const sums = { behavior: 0, iit: 0, strict: 0 };
      for (let bi = 0; bi < nBatches; bi++) {
        if (args.signal?.aborted) break;
        const rows = Array.from(order.subarray(bi * o.batchSize, Math.min(o.nTrain, (bi + 1) * o.batchSize)));
        const srcRows = rows.map((r) => partner[r]);
        const bTok = rows.map((r) => tokens[r]);
        const sTok = srcRows.map((r) => tokens[r]);
        const bLab = rows.map((r) => labels[r]);
        // 1. behaviour
        sums.behavior += tm.step(() => tf.mul(tfCrossEntropy(tf, tm.forward(bTok).logits, bLab), o.behaviorWeight)).loss;
        // source activations for 2 and 3 (no gradient: computed outside the loss)
        const node = nodes[rng.int(nodes.length)];
        const offIndex = off.length ? rng.int(off.length) : -1;
        const needed = new Set([...iitMasks.get(node)!.keys(), ...(offIndex >= 0 ? offMasks[offIndex].keys() : [])]);
        // tidy: only the kept hooks outlive the source run
        const srcHooks: Record<string, any> = tf.tidy(() => tm.forward(sTok, { keep: [...needed] }).hooks);
        const patches = (masks: Map<string, Float32Array>): TfPatch[] => [...masks].map(([hook, mask]) => ({ hook, mask, values: srcHooks[hook] }));
        // 2. IIT: labels from the program with `node` set to its source value
        const cf = rows.map((r, q) => [-1, ...programLabels(program, runProgram(program, inputs[r], { [node]: runs[srcRows[q]].values[node] }).output)]);
        const iitPatches = patches(iitMasks.get(node)!);
        sums.iit += tm.step(() => tf.mul(tfCrossEntropy(tf, tm.forward(bTok, { patches: iitPatches }).logits, cf), o.iitWeight)).loss;
        // 3. strict: an off-circuit node patched, the base label kept
        if (offIndex >= 0) {
          const strictPatches = patches(offMasks[offIndex]);
          sums.strict += tm.step(() => tf.mul(tfCrossEntropy(tf, tm.forward(bTok, { patches: strictPatches }).logits, bLab), strictScale)).loss;
        }
        tf.dispose(Object.values(srcHooks));
        args.onBatch?.(bi + 1, nBatches, epoch);
      }
      scores = evaluateTransformer(tm.model(), program, corr, evalOpts);
      predictor.dispose();
      const row: SiitEpochRow = {
        epoch,
        behaviorLoss: sums.behavior / nBatches,
        iitLoss: sums.iit / nBatches,
        strictLoss: sums.strict / nBatches,
        accuracy: scores.accuracy,
        iia: scores.iia,
        iiaMean: scores.iiaMean,
        strictAccuracy: scores.strictAccuracy,
        seconds: (Date.now() - started) / 1000,
      };
      epochs.push(row);
      args.onEpoch?.(row, o.epochs);
      if (args.signal?.aborted) break;
      if (scores.accuracy >= o.stopAt && scores.iiaMean >= o.stopAt) {
        stoppedEarly = epoch < o.epochs;
        break;
      }
    }
    const model = tm.model();
    // The result's scores: the plain pass on the weights returned (the tfjs ones agree to 1e-5).
    scores = evaluateTransformer(model, program, corr, { nPairs: evalOpts.nPairs, seed: evalOpts.seed });
    return { model, program: program.id, correspondence: corr, options: o, backend, epochs, scores, stoppedEarly, seconds: (Date.now() - started) / 1000 };
  } finally {
    tm.dispose();
  }
}

/** evaluateTransformer's engine on a TensorFlow.js model: patched runs as tfjs patches of a source run. */
export function tfPredictor(tf: any, tm: TfTransformer) {
  // The evaluator patches many component sets from one source batch: its run is kept (every z and MLP output) until
  // another source batch comes; the caller disposes it with dispose().
  let cached: { source: Tokens; hooks: Record<string, any> } | null = null;
  const sourceHooks = (source: Tokens) => {
    if (cached?.source !== source) {
      if (cached) tf.dispose(Object.values(cached.hooks));
      const keep = Array.from({ length: tm.config.nLayers }, (_, l) => [`blocks.${l}.attn.hook_z`, `blocks.${l}.mlp.hook_post`]).flat();
      const run = tf.tidy(() => {
        const r = tm.forward(source, { keep });
        return r.hooks;
      });
      cached = { source, hooks: run };
    }
    return cached.hooks;
  };
  const predict = (base: Tokens, patch: { sites: readonly ComponentSite[]; source: Tokens } | null): number[][] => {
    const hooks = patch ? sourceHooks(patch.source) : {};
    return tf.tidy(() => {
      let patches: TfPatch[] = [];
      if (patch) patches = [...componentMasks(tm.config, base[0].length, patch.sites)].map(([hook, mask]) => ({ hook, mask, values: hooks[hook] }));
      const logits = tm.forward(base, { patches }).logits;
      return predictTokens({ shape: logits.shape, data: logits.dataSync() });
    });
  };
  return Object.assign(predict, {
    dispose: () => {
      if (cached) tf.dispose(Object.values(cached.hooks));
      cached = null;
    },
  });
}

/** The per-epoch table as text (CLI and notebooks): epoch, losses, accuracy, mean IIA, strict accuracy, IIA per node. */
export function formatSiitTable(rows: readonly SiitEpochRow[]): string {
  if (!rows.length) return "(no epochs)";
  const nodes = Object.keys(rows[0].iia);
  const pct = (x: number | null) => (x === null ? "   -  " : `${(100 * x).toFixed(1).padStart(5)}%`);
  const head = ["epoch", "L_beh", "L_iit", "L_strict", "  acc ", " IIA  ", "strict", ...nodes.map((n) => n.slice(0, 12).padStart(12)), "  time"].join(" ");
  const lines = rows.map((r) =>
    [String(r.epoch).padStart(5), r.behaviorLoss.toFixed(3).padStart(5), r.iitLoss.toFixed(3).padStart(5), r.strictLoss.toFixed(3).padStart(8), pct(r.accuracy), pct(r.iiaMean), pct(r.strictAccuracy), ...nodes.map((n) => pct(r.iia[n]).padStart(12)), `${r.seconds.toFixed(1)} s`.padStart(7)].join(" "),
  );
  return [head, ...lines].join("\n");
}
