/**
 * The paper's closing experiment (MNIST 0 vs 1): the digits (data.ts), the reference's network and its training
 * (train.ts), head/tail split (split.ts), the tail's circuits and binarised interpretations (tail.ts), big candidate
 * counts (count.ts), the seed study (study.ts).
 */
export * from "./data";
export * from "./train";
export * from "./split";
export * from "./count";
export * from "./tail";
export * from "./study";
