// Placeholder: filled by the equivalence work. Keeps src/index.ts's export list stable.
export {};
