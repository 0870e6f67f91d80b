// One grey slice (or an RGB overlay) as a PNG data URL for the self-contained report: values
// mapped linearly from [lo, hi] to 0..255, rows flipped so anterior (high y) is at the top, as
// radiology viewers show axial slices (2D images, already in display order, pass flipRows false).

import { encode } from "fast-png";
import { encodeBase64 } from "./base64.ts";

/** A [H, W] slice (row-major, x fastest) as a grey PNG data URL. */
export function greyPngDataUrl(
  v: ArrayLike<number>,
  H: number,
  W: number,
  lo: number,
  hi: number,
  flipRows = true,
): string {
  const data = new Uint8Array(H * W);
  const span = hi - lo || 1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const t = (v[y * W + x] - lo) / span;
      data[(flipRows ? H - 1 - y : y) * W + x] = Math.round(255 * Math.min(1, Math.max(0, t)));
    }
  }
  return `data:image/png;base64,${
    encodeBase64(encode({ width: W, height: H, data, channels: 1 }))
  }`;
}

/** A grey slice with a binary mask drawn in red over it. */
export function overlayPngDataUrl(
  v: ArrayLike<number>,
  mask: ArrayLike<number>,
  H: number,
  W: number,
  lo: number,
  hi: number,
): string {
  const data = new Uint8Array(H * W * 3);
  const span = hi - lo || 1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const g = Math.round(255 * Math.min(1, Math.max(0, (v[y * W + x] - lo) / span)));
      const o = ((H - 1 - y) * W + x) * 3;
      const m = mask[y * W + x] > 0;
      data[o] = m ? 255 : g;
      data[o + 1] = m ? Math.round(g * 0.3) : g;
      data[o + 2] = m ? Math.round(g * 0.3) : g;
    }
  }
  return `data:image/png;base64,${
    encodeBase64(encode({ width: W, height: H, data, channels: 3 }))
  }`;
}
