export * from "./program";
export * from "./cases";
export * from "./correspondence";
