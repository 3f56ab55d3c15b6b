/** The paper's studies end to end: configurations, the runner, records and their files. */
export * from "./studies";
export * from "./records";
export * from "./store";
export * from "./runner";
export * from "./summary";
export * from "./cache";
export * from "./shard";
export * from "./merge";
export * from "./rebuild";
export * from "./fill";
