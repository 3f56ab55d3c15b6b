/** The model stage: the MLP type (types.ts), JSON I/O (io.ts), hook names (hooks.ts), interventions, the forward pass. */
export * from "./types";
export * from "./io";
export * from "./hooks";
export * from "./interventions";
export * from "./forward";
