// Placeholder: figures of the equivalence work.
export {};
