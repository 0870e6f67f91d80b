// Reconstruction panels of a 2D (second study) evaluation: input | reconstruction | |x − x̂| of
// the anomalous test images scored most, median and least anomalous (in the direction the
// threshold uses) and of the healthy image scored most anomalous (the worst false alarm).
// Images are [−1, 1] grey in display order (row 0 at the top); reconstructions come from
// scoreStack's keepRecon bytes, so a drifting faithful codebook shows what was scored. The
// least anomalous comes before the median, so two anomalous images give both ends; images are
// enlarged to at least 256 px (panel_zoom.ts); image files carry no orientation, so none is
// claimed; the residual's grey scale goes with it for the colour bar.

import { greyPngDataUrl } from "../../io/png_data_url.ts";
import type { ImageSet2D } from "../../data/image2d/load_images2d.ts";
import type { ScoredStack } from "../scoring/chandru25_score.ts";
import type { PanelResult } from "../../report/eval_result.ts";
import { nearestUpsample, panelZoom } from "./panel_zoom.ts";

export function chandru25Panels(
  test: ImageSet2D,
  scored: ScoredStack,
  direction: "score-above" | "score-at-most",
  predicted: (0 | 1)[],
): PanelResult[] {
  const recon = scored.recon;
  if (!recon) return [];
  const S = test.size, hw = S * S;
  // Larger = more anomalous, in the threshold's own direction.
  const key = (i: number) => (direction === "score-above" ? scored.scores[i] : -scored.scores[i]);
  const byKey = (a: number, b: number) => key(b) - key(a);
  const ids = test.files.map((_, i) => i);
  const anomalous = ids.filter((i) => !test.healthy[i]).sort(byKey);
  const healthy = ids.filter((i) => test.healthy[i]).sort(byKey);
  const pick: [PanelResult["rank"], number | undefined][] = [
    ["best", anomalous[0]],
    ["worst", anomalous.at(-1)],
    ["median", anomalous[Math.floor((anomalous.length - 1) / 2)]],
    ["healthy", healthy[0]],
  ];
  const seen = new Set<number>();
  const out: PanelResult[] = [];
  for (const [rank, i] of pick) {
    if (i === undefined || seen.has(i)) continue;
    seen.add(i);
    const img = test.images.subarray(i * hw, (i + 1) * hw);
    const rec = Float32Array.from(recon.subarray(i * hw, (i + 1) * hw), (b) => b / 127.5 - 1);
    const res = rec.map((v, p) => Math.abs(img[p] - v));
    let hi = 1e-6;
    for (const v of res) hi = Math.max(hi, v);
    const k = panelZoom(S, S), Sk = S * k;
    const up = (v: ArrayLike<number>) => nearestUpsample(v, S, S, k);
    out.push({
      subject: test.files[i].split("/").slice(-2).join("/"),
      dataset: test.classNames[test.labels[i]],
      rank,
      slice: 0,
      score: scored.scores[i],
      predicted: predicted[i],
      images: {
        input: greyPngDataUrl(up(img), Sk, Sk, -1, 1, false),
        reconstruction: greyPngDataUrl(up(rec), Sk, Sk, -1, 1, false),
        residual: greyPngDataUrl(up(res), Sk, Sk, 0, hi, false),
      },
      residualScale: { lo: 0, hi, unit: "image intensity on [−1, 1]" },
    });
  }
  const order = ["best", "median", "worst", "healthy"];
  return out.sort((a, b) => order.indexOf(a.rank) - order.indexOf(b.rank));
}
