/**
 * Where-then-what, step 1 (SPEC 4): circuits of an MLP. Stage files: count.ts (closed-form counts, the budget),
 * enumerate.ts (the reference's order), search.ts (`findCircuits`, the evaluator), exact.ts (perfect circuits counted without visiting candidates one by one), compare.ts (sparsity, inclusion,
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
export { type CircuitMetrics, type CircuitSearchOptions, type CircuitSearchResult, type PerfectCircuit, distinctRows, findCircuits } from "./search";
export {
  DEFAULT_MAX_PREFIX_STATES,
  type ListedCircuit,
  MAX_DISTINCT_ROWS,
  PREFIX_STATES_PER_SECOND,
  type PerfectCount,
  type PerfectCountOptions,
  type PerfectWalkContext,
  type PerfectWalkRows,
  type PerfectWalkVisitor,
  acceptedSumInterval,
  countPerfectCircuits,
  estimatePerfectCountWork,
  listPerfectCircuits,
  walkPerfectCircuits,
} from "./exact";
export { circuitIncluded, circuitJaccard, circuitOverlaps, circuitSparsity, sparsestCircuits } from "./compare";
