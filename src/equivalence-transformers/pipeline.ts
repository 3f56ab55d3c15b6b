/**
 * Pipelines of single-program transformers: the second paper's "algorithms" (EQUIVALENCE 4.1). A pipeline chains
 * RASP cases; each stage's model reads BOS plus the previous stage's output tokens, and its argmax class per position
 * (a value of its program's `outputValues`) becomes the next stage's token.
 *
 * The shrunk programs read tokens 0–5, but three stages write wider values (48: 0–9, 99: 0–10, 112: −5…5). A link
 * whose values do not all fit the next stage's vocabulary needs a stated bridge: `modulo` maps a value v to
 * v mod |vocab| (the paper's pipelines had the same overflow on tokens 0–10; how its code handled it is not
 * released). The identity bridge over such a link is refused.
 */
import { InputError } from "../errors";
import { RASP_CASES } from "../rasp/cases";
import { RaspProgram, runProgram, withBos } from "../rasp/program";
import { Correspondence, validateCorrespondence } from "../rasp/correspondence";
import { Transformer } from "../transformer/types";
import { HookTensor, TransformerRun, predictTokens, runTransformerWithCache } from "../transformer/forward";
import { TransformerIntervention } from "../transformer/interventions";
import { checkModelFitsProgram } from "../transformer/evaluate";

export type TokenBridge = "identity" | "modulo";

/** An algorithm: the cases of its stages and the bridge of each link (bridges.length = cases.length − 1). */
export interface AlgorithmSpec {
  /** "59→112". */
  name: string;
  cases: string[];
  bridges: TokenBridge[];
}

/** One stage of an implementation: a trained model of the stage's case and its correspondence. */
export interface PipelineStage {
  caseId: string;
  program: RaspProgram;
  model: Transformer;
  correspondence: Correspondence;
  /** Where the model came from ("constant/case59-seed1"), for tables. */
  key: string;
}

/** An implementation of an algorithm: one model per stage. */
export interface Pipeline {
  algorithm: AlgorithmSpec;
  stages: PipelineStage[];
}

/** The link's values in the next stage's vocabulary. */
export function bridgeValue(value: number, bridge: TokenBridge, next: RaspProgram): number {
  if (bridge === "identity") return value;
  const V = next.vocab.length;
  return next.vocab[((value % V) + V) % V];
}

/**
 * An algorithm from its case numbers. Each link's bridge defaults to `identity` and is checked: every output value of
 * a stage must be a token of the next stage after the bridge, or the link is refused naming the values and the fix.
 */
export function algorithmSpec(cases: readonly string[], bridges?: readonly TokenBridge[]): AlgorithmSpec {
  if (!Array.isArray(cases) || cases.length === 0) throw new InputError("algorithm: give at least one case number, e.g. [\"59\", \"112\"].");
  for (const c of cases) if (!RASP_CASES[c]) throw new InputError(`algorithm: unknown case "${c}"; the cases are ${Object.keys(RASP_CASES).join(", ")}.`);
  const b = bridges ? [...bridges] : new Array<TokenBridge>(cases.length - 1).fill("identity");
  if (b.length !== cases.length - 1) throw new InputError(`algorithm ${cases.join("→")}: ${cases.length - 1} links need ${cases.length - 1} bridges, got ${b.length}.`);
  b.forEach((br, i) => {
    if (br !== "identity" && br !== "modulo") throw new InputError(`algorithm ${cases.join("→")}: bridge ${i} must be "identity" or "modulo", got ${JSON.stringify(br)}.`);
    const from = RASP_CASES[cases[i]].program;
    const to = RASP_CASES[cases[i + 1]].program;
    const outside = from.outputValues.filter((v) => !to.vocab.includes(bridgeValue(v, br, to)));
    if (outside.length)
      throw new InputError(
        `algorithm ${cases.join("→")}: mismatched stage token ranges: case ${from.id} outputs ${from.outputValues[0]}…${from.outputValues[from.outputValues.length - 1]} but case ${to.id} reads tokens ${to.vocab.join(",")} (${outside.join(",")} do not fit); give the link the bridge "modulo".`,
      );
  });
  return { name: cases.join("→"), cases: [...cases], bridges: b };
}

/** The paper's six algorithms (EQUIVALENCE 4.1), with `modulo` where a stage's values overflow the next vocabulary. */
export const PIPELINE_ALGORITHMS: readonly AlgorithmSpec[] = [
  algorithmSpec(["59", "112"]),
  algorithmSpec(["59", "48", "124"], ["identity", "modulo"]),
  algorithmSpec(["59", "74", "99", "124"], ["identity", "identity", "modulo"]),
  algorithmSpec(["59", "125"]),
  algorithmSpec(["108", "99", "124"], ["identity", "modulo"]),
  algorithmSpec(["63", "108"]),
];

/** An algorithm by name: "59-112", "59→112" or "59,112" (one of the six, or any chain of cases with bridges as needed). */
export function parseAlgorithm(name: string): AlgorithmSpec {
  const cases = String(name).split(/→|->|-|,/).map((s) => s.trim()).filter(Boolean);
  const known = PIPELINE_ALGORITHMS.find((a) => a.cases.join() === cases.join());
  if (known) return known;
  const bridges = cases.slice(1).map((c, i): TokenBridge => {
    const from = RASP_CASES[cases[i]]?.program;
    const to = RASP_CASES[c]?.program;
    return from && to && from.outputValues.every((v) => to.vocab.includes(v)) ? "identity" : "modulo";
  });
  return algorithmSpec(cases, bridges);
}

/** A pipeline from an algorithm and one stage model per case; each model must fit its program and correspondence. */
export function makePipeline(algorithm: AlgorithmSpec, stages: readonly PipelineStage[]): Pipeline {
  if (stages.length !== algorithm.cases.length) throw new InputError(`pipeline ${algorithm.name}: ${algorithm.cases.length} stages expected, got ${stages.length} models.`);
  stages.forEach((s, i) => {
    if (s.caseId !== algorithm.cases[i]) throw new InputError(`pipeline ${algorithm.name}: stage ${i} must be a model of case ${algorithm.cases[i]}, got case ${s.caseId} (${s.key}).`);
    checkModelFitsProgram(s.model, s.program);
    validateCorrespondence(s.program, s.model.config, s.correspondence);
  });
  return { algorithm, stages: [...stages] };
}

export interface PipelineRun {
  /** Per stage: the model's input rows (BOS then the tokens). */
  inputs: number[][][];
  /** Per stage: the output values per row and position (BOS excluded). */
  outputs: number[][][];
  /** Per stage: the hook caches of the named hooks. */
  caches: Record<string, HookTensor>[];
}

export interface RunPipelineOptions {
  /** Per stage: interventions on that stage's model (an empty list or undefined: none). */
  interventions?: readonly (readonly TransformerIntervention[] | undefined)[];
  /** Hooks to cache in every stage (default none). */
  names?: (stage: number, model: Transformer) => readonly string[];
  /**
   * A run on the same tokens without interventions: the stages before the first intervened one are taken from it
   * instead of being recomputed (their inputs, outputs and caches are the same).
   */
  reuse?: PipelineRun;
}

/** Runs the pipeline on token rows (BOS excluded): each stage's argmax values, bridged, feed the next stage. */
export function runPipeline(pipeline: Pipeline, tokens: readonly (readonly number[])[], opts: RunPipelineOptions = {}): PipelineRun {
  if (!Array.isArray(tokens) || tokens.length === 0) throw new InputError("runPipeline: tokens must be a non-empty array of token rows (BOS excluded).");
  const run: PipelineRun = { inputs: [], outputs: [], caches: [] };
  let rows: number[][] = tokens.map((t) => [...t]);
  const first = opts.reuse ? pipeline.stages.findIndex((_, s) => (opts.interventions?.[s]?.length ?? 0) > 0) : 0;
  pipeline.stages.forEach((stage, s) => {
    if (opts.reuse && (first < 0 || s < first)) {
      run.inputs.push(opts.reuse.inputs[s]);
      run.outputs.push(opts.reuse.outputs[s]);
      run.caches.push(opts.reuse.caches[s]);
      if (s + 1 < pipeline.stages.length) rows = opts.reuse.inputs[s + 1].map((r) => r.slice(1));
      return;
    }
    const input = rows.map((t) => withBos(stage.program, t));
    const r: TransformerRun = runTransformerWithCache(stage.model, input, { interventions: opts.interventions?.[s] ?? [], names: opts.names?.(s, stage.model) ?? [] });
    const out = predictTokens(r.logits).map((row) => row.slice(1).map((c) => stage.program.outputValues[c]));
    run.inputs.push(input);
    run.outputs.push(out);
    run.caches.push(r.cache);
    if (s + 1 < pipeline.stages.length) {
      const next = pipeline.stages[s + 1].program;
      rows = out.map((row) => row.map((v) => bridgeValue(v, pipeline.algorithm.bridges[s], next)));
    }
  });
  return run;
}

/** The algorithm's RASP programs composed on one row of tokens: every stage's output values (the oracle of a pipeline). */
export function composePrograms(algorithm: AlgorithmSpec, tokens: readonly number[]): number[][] {
  const outs: number[][] = [];
  let row: number[] = [...tokens];
  algorithm.cases.forEach((c, s) => {
    const out = runProgram(RASP_CASES[c].program, row).output;
    outs.push(out);
    if (s + 1 < algorithm.cases.length) row = out.map((v) => bridgeValue(v, algorithm.bridges[s], RASP_CASES[algorithm.cases[s + 1]].program));
  });
  return outs;
}
