/**
 * Circuit discovery methods against the exhaustive truth. Stage files: graph.ts (the edge graph, edge sets as
 * circuits), metrics.ts (task rows and metrics), ablation.ts (zero / mean / resample, the ablated run),
 * gradients.ts (the differentiable pass), acdc.ts, eap.ts (EAP, EAP-IG), masks.ts (hard-concrete masks),
 * methods.ts (settings), verdict.ts (the truth and the verdicts), study.ts (methods over a study's models).
 */
export * from "./graph";
export * from "./metrics";
export * from "./ablation";
export * from "./gradients";
export * from "./acdc";
export * from "./eap";
export * from "./masks";
export * from "./methods";
export * from "./verdict";
export * from "./study";
