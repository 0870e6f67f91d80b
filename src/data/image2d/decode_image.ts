/**
 * PNG/JPEG decoding to grayscale (fast-png, jpeg-js: pure JS, no native deps). Colour images are
 * reduced to luminance (Rec. 601), alpha ignored; values in [0, 1] whatever the bit depth.
 * @module
 */
import { convertIndexedToRgb, decode as decodePng } from "fast-png";
import jpeg from "jpeg-js";
import { DataError } from "../data_error.ts";

/** A decoded grayscale image, row-major, values in [0, 1]. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Decodes a PNG or JPEG file (by content, not extension). */
export async function decodeImage(path: string): Promise<GrayImage> {
  const bytes = await Deno.readFile(path).catch((e) => {
    throw new DataError(path, `cannot read file (${(e as Error).message.split("\n")[0]})`);
  });
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) return _png(bytes);
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return _jpeg(bytes);
  } catch (e) {
    throw new DataError(path, `corrupt image (${(e as Error).message.split("\n")[0]})`);
  }
  throw new DataError(path, "not a PNG or JPEG file");
}

function _png(bytes: Uint8Array): GrayImage {
  const png = decodePng(bytes);
  let data = png.data as ArrayLike<number>;
  let channels = png.channels;
  let max = png.depth === 16 ? 65535 : (1 << png.depth) - 1;
  if (png.palette) {
    data = convertIndexedToRgb(png);
    channels = png.palette[0].length;
    max = 255;
  }
  return _toGray(png.width, png.height, data, channels, max);
}

function _jpeg(bytes: Uint8Array): GrayImage {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  return _toGray(img.width, img.height, img.data, 4, 255);
}

function _toGray(w: number, h: number, d: ArrayLike<number>, ch: number, max: number): GrayImage {
  const out = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const o = i * ch;
    // Gray (+alpha) images carry luminance in channel 0; colour ones are reduced to Rec. 601 luma.
    out[i] = (ch < 3 ? d[o] : 0.299 * d[o] + 0.587 * d[o + 1] + 0.114 * d[o + 2]) / max;
  }
  return { width: w, height: h, data: out };
}
