/**
 * Distributed alignment search (DAS) against the exhaustive neuron-set search, in stages: rotation.ts (Givens
 * rotations and their exact gradient), tail.ts (the network after a hidden layer, float64, with its backward pass),
 * train.ts (training a rotation on counterfactual labels; Boundless DAS), formula.ts (candidate formulas of a gate),
 * hierarchical-equality.ts (Geiger et al.'s task), rotated-network.ts (the oracle network), subspaces.ts (principal
 * angles, distinct solutions), nonlinear-map.ts (an invertible coupling map), random-control.ts (untrained networks,
 * linear and non-linear maps), study.ts (a cached study's models against their neuron-set verdicts), store.ts
 * (reading the cached results).
 */
export * from "./rotation";
export * from "./tail";
export * from "./train";
export * from "./formula";
export * from "./hierarchical-equality";
export * from "./rotated-network";
export * from "./subspaces";
export * from "./study";
export * from "./nonlinear-map";
export * from "./random-control";
export * from "./store";
