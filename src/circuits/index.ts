/**
 * Where-then-what, step 1 (SPEC 4): circuits of an MLP. Stage files: count.ts (closed-form counts, the budget),
 * enumerate.ts (the reference's order), search.ts (`findCircuits`, the evaluator), compare.ts (sparsity, inclusion,
 * Jaccard, the sparsest circuits).
 */
export {
  CANDIDATES_PER_SECOND,
  CandidateBudgetError,
  DEFAULT_MAX_CANDIDATES,
  type EnumerationOptions,
  checkCandidateBudget,
  countCandidates,
  countCandidatesExact,
  countEdgeMatrices,
  defaultMinSparsity,
} from "./count";
export { enumerateCircuits } from "./enumerate";
export { type CircuitMetrics, type CircuitSearchOptions, type CircuitSearchResult, type PerfectCircuit, findCircuits } from "./search";
export { circuitIncluded, circuitJaccard, circuitOverlaps, circuitSparsity, sparsestCircuits } from "./compare";
