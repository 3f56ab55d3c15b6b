// Placeholder: filled by the formulas work. Keeps src/index.ts's export list stable.
export {};
