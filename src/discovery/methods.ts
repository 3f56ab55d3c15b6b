/**
 * One entry point for the four method families with their settings: a `DiscoverySetting` names the method, the
 * ablation, the metric and the method's knob (τ, top-k / threshold, steps, λ, mask kind, seed); `runDiscovery`
 * runs it on a one-output model and returns the circuit, the kept edges and the edge scores.
 */
import { CircuitMasks, MLP } from "../model";
import { InputError } from "../errors";
import { acdc } from "./acdc";
import { Ablation, AblationKind, checkAblation, makeAblation } from "./ablation";
import { eap } from "./eap";
import { DiscoveryGraph } from "./graph";
import { learnMasks, MaskKind } from "./masks";
import { DiscoveryMetric, DiscoveryTask, checkMetric } from "./metrics";

export const DISCOVERY_METHODS = ["acdc", "eap", "eap-ig", "masks"] as const;
export type DiscoveryMethod = (typeof DISCOVERY_METHODS)[number];

export interface DiscoverySetting {
  method: DiscoveryMethod;
  /** Default zero. */
  ablation?: AblationKind;
  /** Default: output-mse (acdc, masks), logit-diff (eap, eap-ig). */
  metric?: DiscoveryMetric;
  /** acdc: default 0.01. */
  tau?: number;
  /** eap, eap-ig: edges kept (default 8), or give `threshold`. */
  topK?: number;
  threshold?: number;
  /** eap-ig: interpolation steps (default 5). */
  steps?: number;
  /** masks: L0 weight (default 1). */
  lambda?: number;
  /** masks: edges (edge pruning, default) or nodes (subnetwork probing). */
  maskKind?: MaskKind;
  /** resample pairing and mask sampling (default 0). */
  seed?: number;
}

/** The setting with every default filled in. */
export function resolveSetting(s: DiscoverySetting): Required<Omit<DiscoverySetting, "threshold" | "topK">> & { topK?: number; threshold?: number } {
  if (!s || !(DISCOVERY_METHODS as readonly string[]).includes(s.method))
    throw new InputError(`discover: method (--method) must be one of ${DISCOVERY_METHODS.join(", ")}, got ${JSON.stringify(s?.method)}.`);
  const gradient = s.method === "eap" || s.method === "eap-ig" || s.method === "masks";
  const metric = checkMetric(s.metric ?? (s.method === "eap" || s.method === "eap-ig" ? "logit-diff" : "output-mse"), `discover ${s.method}`, gradient);
  const ablation = checkAblation(s.ablation ?? "zero", `discover ${s.method}`);
  const sel = s.method === "eap" || s.method === "eap-ig" ? (s.threshold !== undefined ? { threshold: s.threshold } : { topK: s.topK ?? 8 }) : {};
  return {
    method: s.method,
    ablation,
    metric,
    tau: s.tau ?? 0.01,
    steps: s.method === "eap-ig" ? (s.steps ?? 5) : 0,
    lambda: s.lambda ?? 1,
    maskKind: s.maskKind ?? "edges",
    seed: s.seed ?? 0,
    ...sel,
  };
}

/** "acdc τ=0.01", "eap top-8", "masks edges λ=0.01 seed 1", with ablation and metric when not the defaults. */
export function settingLabel(s: DiscoverySetting): string {
  const r = resolveSetting(s);
  const parts: string[] = [r.method];
  if (r.method === "acdc") parts.push(`τ=${r.tau}`);
  if (r.method === "eap" || r.method === "eap-ig") parts.push(r.topK !== undefined ? `top-${r.topK}` : `|s|≥${r.threshold}`);
  if (r.method === "eap-ig") parts.push(`m=${r.steps}`);
  if (r.method === "masks") parts.push(r.maskKind, `λ=${r.lambda}`);
  if (r.ablation !== "zero") parts.push(r.ablation);
  const defaultMetric = r.method === "eap" || r.method === "eap-ig" ? "logit-diff" : "output-mse";
  if (r.metric !== defaultMetric) parts.push(r.metric);
  if (r.seed !== 0) parts.push(`seed ${r.seed}`);
  return parts.join(" ");
}

export interface DiscoveryResult {
  setting: DiscoverySetting;
  label: string;
  kept: Uint8Array;
  circuit: CircuitMasks;
  /** Edge scores, higher = more important (acdc: loss increase when tested; eap: |s|; masks: log α). */
  scores: Float64Array;
  ms: number;
}

/** Runs one setting. `ablations` caches the ablated activations per (kind, seed) across settings of one model. */
export function runDiscovery(model: MLP, g: DiscoveryGraph, task: DiscoveryTask, setting: DiscoverySetting, ablations = new Map<string, Ablation>()): DiscoveryResult {
  const r = resolveSetting(setting);
  const t0 = performance.now();
  const key = `${r.ablation}|${r.ablation === "resample" ? r.seed : 0}`;
  let ablation = ablations.get(key);
  if (!ablation) ablations.set(key, (ablation = makeAblation(model, task, r.ablation, r.seed)));
  let kept: Uint8Array;
  let circuit: CircuitMasks;
  let scores: Float64Array;
  if (r.method === "acdc") ({ kept, circuit, scores } = acdc(model, g, task, ablation, { tau: r.tau, metric: r.metric }));
  else if (r.method === "masks") ({ kept, circuit, scores } = learnMasks(model, g, task, ablation, { kind: r.maskKind, lambda: r.lambda, metric: r.metric, seed: r.seed }));
  else {
    const res = eap(model, g, task, ablation, { metric: r.metric, steps: r.steps, topK: r.topK, threshold: r.threshold });
    ({ kept, circuit } = res);
    scores = res.scores.map(Math.abs);
  }
  return { setting, label: settingLabel(setting), kept, circuit, scores, ms: performance.now() - t0 };
}
