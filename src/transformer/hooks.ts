/**
 * The transformer's hook points, named as TransformerLens names them, in the order the forward pass reaches them,
 * with their per-row shapes (a batch adds a leading row axis):
 *
 * | hook                                   | per-row shape      | site axes                                  |
 * |----------------------------------------|--------------------|--------------------------------------------|
 * | `hook_embed`, `hook_pos_embed`         | [nCtx, dModel]     | positions, units                           |
 * | `blocks.{l}.hook_resid_pre`            | [nCtx, dModel]     | positions, units                           |
 * | `blocks.{l}.attn.hook_q` / `k` / `v` / `z` | [nCtx, nHeads, dHead] | positions, heads, units               |
 * | `blocks.{l}.attn.hook_pattern`         | [nHeads, nCtx, nCtx] | heads, positions (queries), units (keys) |
 * | `blocks.{l}.hook_attn_out`, `hook_resid_mid`, `hook_mlp_out`, `hook_resid_post` | [nCtx, dModel] | positions, units |
 * | `blocks.{l}.mlp.hook_pre` / `hook_post` | [nCtx, dMlp]      | positions, units (neurons)                 |
 */
import { InputError } from "../errors";
import { TransformerConfig } from "./types";

export type HookAxis = "position" | "head" | "unit";

export interface TransformerHook {
  name: string;
  /** Block index, or -1 for the embeddings. */
  layer: number;
  /** The name without `blocks.{l}.`: `hook_embed`, `attn.hook_z`, `mlp.hook_post`, … */
  point: string;
  /** Per-row shape. */
  shape: number[];
  /** What each axis of `shape` indexes (sites select along them). */
  axes: HookAxis[];
}

const BLOCK_POINTS = ["hook_resid_pre", "attn.hook_q", "attn.hook_k", "attn.hook_v", "attn.hook_pattern", "attn.hook_z", "hook_attn_out", "hook_resid_mid", "mlp.hook_pre", "mlp.hook_post", "hook_mlp_out", "hook_resid_post"] as const;

export type BlockHookPoint = (typeof BLOCK_POINTS)[number];

function pointShape(c: TransformerConfig, point: string, T: number): { shape: number[]; axes: HookAxis[] } {
  if (point === "attn.hook_pattern") return { shape: [c.nHeads, T, T], axes: ["head", "position", "unit"] };
  if (point.startsWith("attn.hook_")) return { shape: [T, c.nHeads, c.dHead], axes: ["position", "head", "unit"] };
  if (point.startsWith("mlp.")) return { shape: [T, c.dMlp], axes: ["position", "unit"] };
  return { shape: [T, c.dModel], axes: ["position", "unit"] };
}

/** Every hook name in forward order. */
export function transformerHookNames(config: TransformerConfig): string[] {
  const out = ["hook_embed", "hook_pos_embed"];
  for (let l = 0; l < config.nLayers; l++) for (const p of BLOCK_POINTS) out.push(`blocks.${l}.${p}`);
  return out;
}

/** Parses a hook name (shapes for sequences of T positions); an unknown name or layer gets an error listing the valid ones. */
export function parseTransformerHook(config: TransformerConfig, name: string, T = config.nCtx): TransformerHook {
  if (name === "hook_embed" || name === "hook_pos_embed") return { name, layer: -1, point: name, ...pointShape(config, name, T) };
  const m = /^blocks\.(\d+)\.(.+)$/.exec(String(name));
  const valid = `valid hooks: hook_embed, hook_pos_embed, blocks.{0…${config.nLayers - 1}}.{${BLOCK_POINTS.join(", ")}}`;
  if (!m || !(BLOCK_POINTS as readonly string[]).includes(m[2])) throw new InputError(`unknown hook "${name}"; ${valid}.`);
  const layer = Number(m[1]);
  if (layer >= config.nLayers) throw new InputError(`hook "${name}": layer ${layer} is out of range; this transformer has blocks 0…${config.nLayers - 1}.`);
  return { name, layer, point: m[2], ...pointShape(config, m[2], T) };
}

/** "L1H2": how heads are written in figures, correspondences and tables. */
export function headName(layer: number, head: number): string {
  return `L${layer}H${head}`;
}
