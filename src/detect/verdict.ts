// detect's verdict on a scored scan, from the volume score AND the lesion components together, so
// that it agrees with the map: a scan is anomalous when its volume score exceeds the volume
// threshold OR its largest lesion component exceeds the component-volume threshold, both
// calibrated by `neurad eval` on the healthy validation volumes at the same false-positive rate
// (RUN/thresholds.json: volumeScore and componentVolume, src/eval/component_volume.ts); healthy
// otherwise. Before, only the volume score counted, and a scan whose mask held 117 components, the
// largest 32.7 cm³, was called healthy. The component rule holds at the pixel threshold it was
// calibrated at; with another one (--threshold) only the score decides, which a warning says. A
// thresholds.json written before the component calibration gets an uncalibrated 1 cm³ instead,
// also with a warning. Input checks can still turn the verdict into "unreliable" (detect_volume).

import type { StoredThresholds } from "../eval/stored_thresholds.ts";

/** Component threshold (mm³) for thresholds.json files without a calibrated one. */
export const UNCALIBRATED_COMPONENT_MM3 = 1000;

/** Why the verdict is what it is, as NAME.json records it. */
export interface VerdictBasis {
  volumeScore: { value: number; threshold: number; exceeded: boolean };
  /** Null when the component rule was not applied (see warnings). */
  largestComponent: {
    volumeMm3: number;
    thresholdMm3: number;
    exceeded: boolean;
    /** How the threshold was obtained. */
    calibration: string;
  } | null;
  /** One sentence: the rule and what decided it. */
  reason: string;
}

const cm3 = (mm3: number) => `${+(mm3 / 1000).toFixed(2)} cm³`;

/**
 * The verdict of a scan scored `score` whose mask (at pixel threshold `pixel`, null when none)
 * has its largest component of `largestMm3`, against `t` (which has a volume score).
 */
export function decideVerdict(
  score: number,
  largestMm3: number | null,
  pixel: number | null,
  t: StoredThresholds,
): { verdict: "anomalous" | "healthy"; basis: VerdictBasis; warnings: string[] } {
  const warnings: string[] = [];
  const vs = t.volumeScore;
  const byScore = score > vs.threshold;
  let largest: VerdictBasis["largestComponent"] = null;
  const cv = t.componentVolume;
  if (largestMm3 === null || pixel === null) {
    warnings.push("no mask (no pixel threshold): the verdict rests on the volume score alone");
  } else if (cv && cv.pixelThreshold !== pixel) {
    warnings.push(
      `the component-volume threshold was calibrated at pixel threshold ${
        cv.pixelThreshold.toPrecision(4)
      }, the mask uses ${pixel.toPrecision(4)}: the verdict rests on the volume score alone`,
    );
  } else {
    const thresholdMm3 = cv ? cv.thresholdMm3 : UNCALIBRATED_COMPONENT_MM3;
    const calibration = cv
      ? `the ${+(100 * (1 - cv.fpr)).toFixed(
        2,
      )} % quantile of the largest component of ${cv.calibrationVolumes} healthy validation volume${
        cv.calibrationVolumes === 1 ? "" : "s"
      }`
      : "uncalibrated default (thresholds.json from an older neurad eval: re-run neurad eval)";
    if (!cv) warnings.push(`component-volume threshold ${cm3(thresholdMm3)}: ${calibration}`);
    largest = {
      volumeMm3: largestMm3,
      thresholdMm3,
      exceeded: largestMm3 > thresholdMm3,
      calibration,
    };
  }
  const anomalous = byScore || (largest?.exceeded ?? false);
  const scoreText = `volume score ${score.toPrecision(4)} ${byScore ? ">" : "≤"} ${
    vs.threshold.toPrecision(4)
  }`;
  const compText = largest
    ? `largest component ${cm3(largest.volumeMm3)} ${largest.exceeded ? ">" : "≤"} ${
      cm3(largest.thresholdMm3)
    }`
    : "components not judged";
  return {
    verdict: anomalous ? "anomalous" : "healthy",
    basis: {
      volumeScore: { value: score, threshold: vs.threshold, exceeded: byScore },
      largestComponent: largest,
      reason: `${anomalous ? "anomalous" : "healthy"}: ${scoreText}; ${compText} (anomalous ` +
        "when either exceeds its threshold)",
    },
    warnings,
  };
}
