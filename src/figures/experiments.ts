// Placeholder: figures of the experiments work.
export {};
