/**
 * Hook points and the one canonical way to write a neuron.
 *
 * Activation layers are numbered l = 0 (the inputs) … L (the output), L = number of weight matrices; hidden layers are
 * 1 … L−1. Hook names follow TransformerLens:
 * - `hook_input`: the inputs (layer 0);
 * - `layers.{l}.hook_pre`: W·h + b of layer l (before LeakyReLU), l = 1 … L;
 * - `layers.{l}.hook_post`: LeakyReLU of it (what layer l+1 reads), l = 1 … L (L = the output).
 *
 * A neuron is written `L{l}.{j}` (unit j of activation layer l, e.g. `L1.0`), a unit set `L{l}.{j,k}` (e.g.
 * `L1.{0,2}`), in figures, CLI output, mappings and equivalence alike.
 */
import { MLP } from "./types";
import { InputError } from "../errors";

export type HookPoint = "input" | "pre" | "post";

/** A parsed hook: its activation layer, where in the layer it sits, and its width (units). */
export interface Hook {
  name: string;
  layer: number;
  point: HookPoint;
  width: number;
}

/** `L1.0`: unit `unit` of activation layer `layer`. */
export function neuronName(layer: number, unit: number): string {
  return `L${layer}.${unit}`;
}

/** `L1.{0,2}`: a set of units of one activation layer (braces even for one unit, so a set reads as a set). */
export function unitSetName(layer: number, units: readonly number[]): string {
  return `L${layer}.{${units.join(",")}}`;
}

/** Every hook of the model, in execution order: hook_input, layers.1.hook_pre, layers.1.hook_post, … */
export function hookNames(model: MLP): string[] {
  const names = ["hook_input"];
  for (let l = 1; l < model.layerSizes.length; l++) names.push(`layers.${l}.hook_pre`, `layers.${l}.hook_post`);
  return names;
}

/** The hook name of activation layer `layer` at `point` (`input` only for layer 0). */
export function hookName(layer: number, point: HookPoint = "post"): string {
  if (layer === 0 || point === "input") return "hook_input";
  return `layers.${layer}.hook_${point}`;
}

/** Parses a hook name; throws an error listing the model's hooks if it is not one of them. */
export function parseHook(model: MLP, name: string): Hook {
  const L = model.layerSizes.length - 1;
  if (name === "hook_input") return { name, layer: 0, point: "input", width: model.layerSizes[0] };
  const m = /^layers\.(\d+)\.hook_(pre|post)$/.exec(String(name));
  const layer = m ? Number(m[1]) : NaN;
  if (!m || layer < 1 || layer > L)
    throw new InputError(`unknown hook ${JSON.stringify(name)}: this model (layer_sizes ${JSON.stringify(model.layerSizes)}) has hooks ${describeHooks(L)}.`);
  return { name, layer, point: m[2] as HookPoint, width: model.layerSizes[layer] };
}

function describeHooks(L: number): string {
  return L === 1 ? "hook_input, layers.1.hook_pre, layers.1.hook_post" : `hook_input and layers.{1…${L}}.hook_pre / hook_post (layers.${L} is the output)`;
}
