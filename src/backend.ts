/**
 * TensorFlow.js backend choice. CONTRACT STUB: the training helper implements it.
 * tfjs-node ("tensorflow") when it loads, else the measured faster of "cpu" / "wasm"; tfjs's Node banner silenced.
 */
export type BackendName = "tensorflow" | "cpu" | "wasm";

export interface TfHandle {
  /** The @tensorflow/tfjs (or tfjs-node) module. */
  tf: any;
  backend: BackendName;
}

/** Loads TensorFlow.js once, sets the backend (env MI_TF_BACKEND or `prefer` overrides), reports its name. */
export async function loadTf(prefer?: BackendName): Promise<TfHandle> {
  void prefer;
  throw new Error("loadTf: not implemented yet");
}

/** One line for notebooks and the CLI: which backend runs and how to get the native one. */
export function describeBackend(h: TfHandle): string {
  return `TensorFlow.js backend: ${h.backend}`;
}
