/**
 * Where-then-what, step 2 (SPEC 5): the interpretations ("groundings") of a circuit. Counted without materialising
 * them (partial groundings aggregated layer by layer, SPEC 16.7), enumerated lazily for users who want to look, and
 * counted as distinct gate-label assignments (SPEC 14.6: the reference counts each completion of unseen parent rows).
 */
export * from "./problem";
export * from "./count";
export * from "./iterate";
export * from "./distinct";
export * from "./summed";
