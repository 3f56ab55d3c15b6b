export * from "./types";
export * from "./hooks";
export * from "./interventions";
export * from "./io";
export * from "./forward";
export * from "./tfjs";
