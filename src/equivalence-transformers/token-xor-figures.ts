/** Figures of the token-XOR estimator test: the population's similarity matrix ordered by imposed class. */
import { Figure } from "../figures/figure";
import { congruityHeatmapFigure } from "../figures/equivalence";
import { InputError } from "../errors";
import { TokenXorClustering } from "./token-xor-clustering";

/**
 * The two-way ridge similarity of every pair of models as a heat map, models sorted by imposed class, each named by
 * its key and the cluster the estimator put it in (`C2-d3-seed1 → cluster 1`): blocks on the diagonal are classes,
 * and a model whose cluster differs from its classmates' shows where the estimator fails.
 */
export function tokenXorSimilarityFigure(result: TokenXorClustering, title?: string): Figure {
  if (!result || !Array.isArray(result.twoWay) || result.twoWay.length !== result.keys?.length)
    throw new InputError("tokenXorSimilarityFigure: expected the result of tokenXorClustering (keys, classes, twoWay, clusters).");
  const labels = result.keys.map((k, i) => `${k} → cluster ${result.clusters[i]}`);
  return congruityHeatmapFigure(result.twoWay, labels, result.classes, title ?? `Token-XOR models: two-way ridge similarity (${result.site}), sorted by imposed class; ARI ${result.ari.toFixed(2)}`);
}
