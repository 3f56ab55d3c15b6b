// Placeholder: figures of the training work.
export {};
