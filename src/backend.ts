/**
 * TensorFlow.js backend choice, once per process.
 *
 * - "tensorflow": the native tfjs-node, used when it is installed (`npm install @tensorflow/tfjs-node@4.22.0`).
 *   Detection: `require("@tensorflow/tfjs-node")` must register the "tensorflow" backend (a package aliased to
 *   plain `@tensorflow/tfjs` under that name loads but registers nothing).
 * - otherwise "cpu" (default: measured faster than "wasm" on these tiny models, see bench/training.ts) or "wasm"
 *   (`@tensorflow/tfjs-backend-wasm`).
 * Env MI_TF_BACKEND=tensorflow|cpu|wasm overrides the choice (and `prefer`).
 * tfjs-backend-cpu's "Hi, looks like you are running TensorFlow.js in Node.js…" banner is silenced: it is printed
 * on the backend's first tensor write unless its `firstUse` flag is already cleared, which we do.
 */
export type BackendName = "tensorflow" | "cpu" | "wasm";

export const BACKEND_NAMES: readonly BackendName[] = ["tensorflow", "cpu", "wasm"];

/** The default when tfjs-node is absent (bench/training.ts measures cpu vs wasm). */
export const DEFAULT_JS_BACKEND: BackendName = "cpu";

export interface TfHandle {
  /** The @tensorflow/tfjs (or tfjs-node) module. */
  tf: any;
  backend: BackendName;
}

let tfModule: any = null;
let nativeAvailable: boolean | null = null;

/** Loads @tensorflow/tfjs-node when it is the real native binding, else @tensorflow/tfjs. */
function loadModule(): any {
  if (tfModule) return tfModule;
  try {
    const node = require("@tensorflow/tfjs-node");
    nativeAvailable = typeof node.findBackendFactory === "function" && node.findBackendFactory("tensorflow") != null;
    if (nativeAvailable) tfModule = node;
  } catch {
    nativeAvailable = false;
  }
  if (!tfModule) tfModule = require("@tensorflow/tfjs");
  return tfModule;
}

/** Whether the native tfjs-node backend is installed and loads. */
export function hasNativeBackend(): boolean {
  loadModule();
  return nativeAvailable === true;
}

function silenceBanner(tf: any, name: string): void {
  if (name !== "cpu") return;
  const b = tf.findBackend("cpu");
  if (b && "firstUse" in b) b.firstUse = false;
}

/** Loads TensorFlow.js once, sets the backend (env MI_TF_BACKEND or `prefer` overrides), reports its name. */
export async function loadTf(prefer?: BackendName): Promise<TfHandle> {
  const env = process.env.MI_TF_BACKEND?.trim();
  if (env && !BACKEND_NAMES.includes(env as BackendName))
    throw new Error(`MI_TF_BACKEND="${env}" is not a backend; use one of ${BACKEND_NAMES.join(", ")} (or unset it).`);
  if (prefer !== undefined && !BACKEND_NAMES.includes(prefer)) throw new Error(`loadTf: unknown backend "${prefer}"; use one of ${BACKEND_NAMES.join(", ")}.`);
  const tf = loadModule();
  const wanted: BackendName = (env as BackendName) || prefer || (nativeAvailable ? "tensorflow" : DEFAULT_JS_BACKEND);
  if (wanted === "tensorflow" && !nativeAvailable)
    throw new Error(
      `TensorFlow.js backend "tensorflow" needs the native @tensorflow/tfjs-node, which is not installed here. ` +
        `Install it with \`npm install @tensorflow/tfjs-node@4.22.0\`, or choose "cpu" or "wasm"${env ? " in MI_TF_BACKEND" : ""}.`,
    );
  if (wanted === "wasm" && !tf.findBackendFactory("wasm")) require("@tensorflow/tfjs-backend-wasm");
  silenceBanner(tf, wanted);
  if (tf.getBackend() !== wanted || tf.backend() == null) {
    const ok = await tf.setBackend(wanted);
    if (!ok) throw new Error(`TensorFlow.js could not initialise the "${wanted}" backend; try MI_TF_BACKEND=cpu.`);
  }
  await tf.ready();
  silenceBanner(tf, wanted);
  return { tf, backend: wanted };
}

/** One line for notebooks and the CLI: which backend runs and how to get the native one. */
export function describeBackend(h: TfHandle): string {
  if (h.backend === "tensorflow") return "TensorFlow.js backend: tensorflow (native tfjs-node)";
  const native = nativeAvailable ? "" : "; native backend: npm install @tensorflow/tfjs-node@4.22.0";
  return `TensorFlow.js backend: ${h.backend} (pure JavaScript${h.backend === "wasm" ? "/WebAssembly" : ""}${native})`;
}
