/** The analysis stage: settings (settings.ts), data (data.ts), the per-model analysis (analyze.ts), its snake_case forms (format.ts). */
export * from "./settings";
export * from "./data";
export * from "./analyze";
export * from "./format";
