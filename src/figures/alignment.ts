// Placeholder: figures of the alignment work.
export {};
