// Placeholder: filled by the experiments work. Keeps src/index.ts's export list stable.
export {};
