/**
 * What-then-where (SPEC 7), in stages: interventions.ts (the interchange intervention table, through the model's
 * hook core), iia.ts (the one IIA definition and its named pair sets, iiaMatrix), search.ts (valid and minimal
 * mappings, alignGate).
 */
export * from "./interventions";
export * from "./iia";
export * from "./search";
