/**
 * How well a transformer implements a RASP program through a correspondence (InterpBench's three scores), with the
 * plain pass of forward.ts:
 * - accuracy: argmax class = the program's output, over the scored positions 1…length of every input;
 * - IIA per high-level node: over (base, source) pairs, the transformer with the node's heads (`hook_z`) and MLP
 *   neurons (`mlp.hook_post`) patched from the source run, at every position, against the program with the node set
 *   to its value on the source (the high-level counterfactual);
 * - strict accuracy: every low-level node outside the circuit (each unmapped head; a layer's unmapped MLP neurons
 *   together) resampled from the source run, the base label must not change; the mean over those nodes (null when
 *   the correspondence leaves nothing unmapped).
 * Pairs: inputs drawn with `sampleInputs` (balanced for the rare-positive cases), sources a second such draw.
 */
import { Rng, deriveSeed } from "../rng";
import { InputError } from "../errors";
import { RaspProgram, computedNodes, programLabels, runProgram, sampleInputs, withBos } from "../rasp/program";
import { ComponentSite, Correspondence, unmappedComponents, validateCorrespondence } from "../rasp/correspondence";
import { Transformer, validateTransformer } from "./types";
import { TransformerIntervention, Tokens } from "./interventions";
import { predictTokens, runTransformerCore } from "./forward";

export interface TransformerScores {
  accuracy: number;
  /** IIA per high-level node (the correspondence's nodes). */
  iia: Record<string, number>;
  /** Mean IIA over the nodes. */
  iiaMean: number;
  /** Lowest IIA over the nodes (the keep rule reads this). */
  iiaMin: number;
  strictAccuracy: number | null;
  /** Per low-level node outside the circuit ("L1H3", "L0.mlp[unmapped]"). */
  strict: Record<string, number>;
  nPairs: number;
}

export interface EvaluateOptions {
  /** Pairs drawn (default 256). */
  nPairs?: number;
  seed?: number;
  /** Explicit base and source inputs (BOS excluded), instead of drawing them. */
  bases?: number[][];
  sources?: number[][];
  /**
   * The engine: predicted classes (rows × positions) of the base tokens with `sites` patched from the row-paired
   * source tokens (none: the clean run). Default: the plain pass; SIIT passes its TensorFlow.js model (the same
   * numbers to 1e-5, test/transformer.test.ts), which is several times faster.
   */
  predict?: (base: Tokens, patch: { sites: readonly ComponentSite[]; source: Tokens } | null) => number[][];
}

/** A low-level node outside the circuit: what the strict loss and strict accuracy ablate. */
export interface OffCircuitNode {
  name: string;
  sites: ComponentSite[];
}

/** Each unmapped head on its own, and each layer's unmapped MLP neurons together. */
export function offCircuitNodes(model: Transformer, corr: Correspondence): OffCircuitNode[] {
  const out: OffCircuitNode[] = [];
  for (const u of unmappedComponents(model.config, corr)) {
    for (const h of u.heads) out.push({ name: `L${u.layer}H${h}`, sites: [{ layer: u.layer, component: "attn", heads: [h] }] });
    if (u.neurons.length) out.push({ name: `L${u.layer}.mlp[unmapped]`, sites: [{ layer: u.layer, component: "mlp", neurons: u.neurons }] });
  }
  return out;
}

/** The interchange interventions that patch a set of components from a source batch (row-paired), every position. */
export function componentInterventions(sites: readonly ComponentSite[], source: Tokens): TransformerIntervention[] {
  return sites.map((s) =>
    s.component === "attn"
      ? { kind: "interchange", site: { hook: `blocks.${s.layer}.attn.hook_z`, heads: s.heads }, source }
      : { kind: "interchange", site: { hook: `blocks.${s.layer}.mlp.hook_post`, units: s.neurons }, source },
  );
}

/** Fraction of scored positions (1…length) where the predicted class equals the label. */
function agreement(pred: number[][], labels: number[][]): number {
  let ok = 0;
  let n = 0;
  pred.forEach((row, b) =>
    labels[b].forEach((y, i) => {
      n++;
      if (row[i + 1] === y) ok++;
    }),
  );
  return n ? ok / n : NaN;
}

export function checkModelFitsProgram(model: Transformer, program: RaspProgram): void {
  const c = model.config;
  if (c.nCtx < program.length + 1) throw new InputError(`transformer nCtx ${c.nCtx} is too short for program ${program.id}: it needs BOS + ${program.length} positions.`);
  if (c.dVocab <= program.bos) throw new InputError(`transformer dVocab ${c.dVocab} cannot hold program ${program.id}'s tokens (BOS is token ${program.bos}).`);
  if (c.dVocabOut !== program.outputValues.length) throw new InputError(`transformer dVocabOut ${c.dVocabOut} differs from program ${program.id}'s ${program.outputValues.length} output values.`);
}

export function evaluateTransformer(model: Transformer, program: RaspProgram, correspondence: Correspondence, opts: EvaluateOptions = {}): TransformerScores {
  validateTransformer(model);
  checkModelFitsProgram(model, program);
  validateCorrespondence(program, model.config, correspondence);
  const nPairs = opts.nPairs ?? 256;
  const seed = opts.seed ?? 0;
  const bases = opts.bases ?? sampleInputs(program, nPairs, new Rng(deriveSeed(seed, "evaluate", "bases")));
  const sources = opts.sources ?? sampleInputs(program, bases.length, new Rng(deriveSeed(seed, "evaluate", "sources")));
  if (sources.length !== bases.length) throw new InputError(`evaluateTransformer: ${bases.length} bases but ${sources.length} sources; give one source per base.`);
  const baseTok = bases.map((t) => withBos(program, t));
  const srcTok = sources.map((t) => withBos(program, t));
  const baseRuns = bases.map((t) => runProgram(program, t));
  const srcRuns = sources.map((t) => runProgram(program, t));
  const labels = baseRuns.map((r) => programLabels(program, r.output));
  const predict = (patch: { sites: readonly ComponentSite[]; source: Tokens } | null) => {
    if (opts.predict) return opts.predict(baseTok, patch);
    const { logits, n, T } = runTransformerCore(model, baseTok, patch ? componentInterventions(patch.sites, patch.source) : [], () => false);
    return predictTokens({ shape: [n, T, model.config.dVocabOut], data: logits });
  };
  const accuracy = agreement(predict(null), labels);
  const iia: Record<string, number> = {};
  for (const node of computedNodes(program)) {
    const sites = correspondence[node.name];
    const cf = bases.map((t, b) => programLabels(program, runProgram(program, t, { [node.name]: srcRuns[b].values[node.name] }).output));
    iia[node.name] = agreement(predict({ sites, source: srcTok }), cf);
  }
  const strict: Record<string, number> = {};
  for (const off of offCircuitNodes(model, correspondence)) strict[off.name] = agreement(predict({ sites: off.sites, source: srcTok }), labels);
  const iv = Object.values(iia);
  const sv = Object.values(strict);
  return {
    accuracy,
    iia,
    iiaMean: iv.reduce((a, b) => a + b, 0) / iv.length,
    iiaMin: Math.min(...iv),
    strictAccuracy: sv.length ? sv.reduce((a, b) => a + b, 0) / sv.length : null,
    strict,
    nPairs: bases.length,
  };
}
