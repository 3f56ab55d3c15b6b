/**
 * Interpretive equivalence (Sun & Toneva, ICLR 2026) for Boolean MLPs: do two nets share an interpretation,
 * without naming it? Ground-truth XOR classes, probes and representations, similarity measures, the decision.
 */
export * from "./linalg";
export * from "./measures";
export * from "./groundTruth";
export * from "./represent";
export * from "./scores";
export * from "./decision";
export * from "./point-test";
export * from "./patching";
export * from "./study";
export * from "./natural";
export * from "./iit";
