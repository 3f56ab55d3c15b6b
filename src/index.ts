export * from "./rng";
export * from "./tasks";
export * from "./model";
export * from "./figures/figure";
