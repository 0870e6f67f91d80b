// Anomaly maps from reconstructions: the residual between input and reconstruction, restricted to
// the brain. The positive residual keeps only input > reconstruction, because the lesions targeted
// in FLAIR (tumours, white-matter lesions) are hyperintense; "absolute" keeps both signs' magnitude.

import {
  _checkLabels,
  _checkSameLength,
  _checkScores,
  type Labels,
  type Scores,
} from "../_validate.ts";

export type ResidualMode = "positive" | "absolute" | "signed";

/**
 * Elementwise residual of same-shaped arrays (any layout, element i against element i):
 * positive: max(input - reconstruction, 0); absolute: |input - reconstruction|;
 * signed: input - reconstruction. With `brainMask`, elements where the mask is 0 are set to 0.
 */
export function residual(
  input: Scores,
  reconstruction: Scores,
  { mode = "positive", brainMask }: { mode?: ResidualMode; brainMask?: Labels } = {},
): Float32Array {
  const fn = "residual()";
  _checkSameLength(fn, input, reconstruction, ["input", "reconstruction"]);
  _checkScores(fn, input);
  _checkScores(fn, reconstruction);
  if (brainMask) {
    _checkSameLength(fn, input, brainMask, ["input", "brainMask"]);
    _checkLabels(fn, brainMask, "brainMask");
  }
  if (mode !== "positive" && mode !== "absolute" && mode !== "signed") {
    throw new Error(`${fn}: unknown mode "${mode}"; expected positive, absolute or signed`);
  }
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    if (brainMask && brainMask[i] === 0) continue;
    const d = input[i] - reconstruction[i];
    out[i] = mode === "positive" ? Math.max(d, 0) : mode === "absolute" ? Math.abs(d) : d;
  }
  return out;
}
