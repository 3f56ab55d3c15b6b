/**
 * Figures of the MNIST experiment: a grid of digits (one heatmap of tiled images), the 3-D bottleneck activations
 * coloured by digit, and the tail's circuit count over seeds. Loss curves and circuit drawings reuse the training
 * and circuit figures.
 */
import { Figure, PALETTE, baseLayout } from "./figure";

/** `count` digits (rows of 784 values in [−1, 1]) tiled `cols` per row as one grey image, digit labels in the hover. */
export function digitGridFigure(x: Float32Array, labels: ArrayLike<number>, opts: { count?: number; cols?: number; side?: number; title?: string } = {}): Figure {
  const side = opts.side ?? 28;
  const px = side * side;
  const n = Math.min(opts.count ?? 24, Math.floor(x.length / px));
  if (n < 1) throw new Error("digitGridFigure: no digits to show (x must hold rows of side² values).");
  const cols = Math.min(opts.cols ?? 8, n);
  const rows = Math.ceil(n / cols);
  const gap = 2;
  const H = rows * (side + gap) - gap;
  const W = cols * (side + gap) - gap;
  const z: (number | null)[][] = Array.from({ length: H }, () => new Array(W).fill(null));
  const text: string[][] = Array.from({ length: H }, () => new Array(W).fill(""));
  for (let k = 0; k < n; k++) {
    const r0 = Math.floor(k / cols) * (side + gap);
    const c0 = (k % cols) * (side + gap);
    for (let i = 0; i < side; i++)
      for (let j = 0; j < side; j++) {
        z[r0 + i][c0 + j] = Math.round(x[k * px + i * side + j] * 1000) / 1000;
        text[r0 + i][c0 + j] = `digit ${labels[k]} (#${k})`;
      }
  }
  return {
    data: [{ type: "heatmap", z, text, hovertemplate: "%{text}<br>pixel %{z}<extra></extra>", colorscale: "Greys", reversescale: true, zmin: -1, zmax: 1, showscale: false }],
    layout: baseLayout(opts.title ?? `${n} training digits`, {
      xaxis: { visible: false, scaleanchor: "y" },
      yaxis: { visible: false, autorange: "reversed" },
      height: Math.max(200, 40 + rows * 70),
      margin: { l: 10, r: 10, t: 50, b: 10 },
    }),
  };
}

/** The 3 bottleneck activations (the tail's inputs) of each row as a 3-D scatter, one colour per digit. */
export function bottleneckFigure(acts: Float32Array, digits: ArrayLike<number>, opts: { title?: string } = {}): Figure {
  const n = digits.length;
  if (acts.length !== n * 3) throw new Error(`bottleneckFigure: expected ${n} rows of 3 activations, got ${acts.length} values.`);
  const classes = [...new Set(Array.from(digits))].sort((a, b) => a - b);
  const data = classes.map((d, i) => {
    const rows = Array.from({ length: n }, (_, r) => r).filter((r) => digits[r] === d);
    const pick = (u: number) => rows.map((r) => Math.round(acts[r * 3 + u] * 1e4) / 1e4);
    return { type: "scatter3d", mode: "markers", name: `digit ${d}`, x: pick(0), y: pick(1), z: pick(2), marker: { size: 2.5, color: PALETTE[i % PALETTE.length], opacity: 0.8 } };
  });
  return {
    data,
    layout: baseLayout(opts.title ?? "Bottleneck activations (the tail's inputs)", {
      scene: { xaxis: { title: { text: "unit 0" } }, yaxis: { title: { text: "unit 1" } }, zaxis: { title: { text: "unit 2" } } },
      height: 480,
    }),
  };
}

/** One box per series (e.g. perfect tail circuits per seed), every seed drawn as a point. */
export function seedSweepFigure(series: readonly { name: string; values: readonly number[]; seeds?: readonly number[] }[], opts: { title?: string; yTitle?: string } = {}): Figure {
  if (series.length === 0) throw new Error("seedSweepFigure: give at least one series.");
  return {
    data: series.map((s, i) => ({
      type: "box",
      name: s.name,
      y: [...s.values],
      text: s.seeds ? s.seeds.map((v) => `seed ${v}`) : undefined,
      boxpoints: "all",
      jitter: 0.4,
      pointpos: 0,
      marker: { color: PALETTE[i % PALETTE.length], size: 5 },
      hovertemplate: "%{text}<br>%{y}<extra></extra>",
    })).map((t) => (t.text === undefined ? { ...t, text: [] } : t)),
    layout: baseLayout(opts.title ?? "Over seeds", { yaxis: { title: { text: opts.yTitle ?? "count" } }, height: 400, showlegend: false }),
  };
}
