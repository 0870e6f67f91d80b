/**
 * 2D image collections by class folder (Figshare, SARTAJ, Br35H: `healthy/` or `no/`,
 * `glioma/`, `yes/`…): decode, gray, bilinear resize to size×size (128), normalise to [−1, 1]
 * (x·2 − 1 of the [0, 1] pixel value, as ToTensor + Normalize(0.5, 0.5)). Each file is its own
 * subject for the split (these collections carry no subject ids); each image's split is returned
 * with it (evaluation on split "all" can say which test images were trained on).
 * @module
 */
import { DataError } from "../data_error.ts";
import { basename, dirname, join } from "node:path";
import { listFiles } from "../layouts/walk.ts";
import type { Subject } from "../layouts/subject.ts";
import { assignSplits, type SplitName } from "../splits.ts";
import { decodeImage } from "./decode_image.ts";
import { resizeBilinear } from "./resize_bilinear.ts";

/** Folder names taken as the healthy class. */
export const HEALTHY_CLASS = /^(healthy|normal|no|no_tumou?r|notumou?r)$/i;

/** Options of {@link loadImages2D}. */
export interface LoadImages2DOptions {
  size?: number;
  split?: SplitName | "all";
  seed?: number;
}

/** Images [N, size, size] in [−1, 1] with class labels. */
export interface ImageSet2D {
  images: Float32Array;
  size: number;
  N: number;
  /** Index into classNames per image. */
  labels: number[];
  classNames: string[];
  healthy: boolean[];
  files: string[];
  /** The split of each image (seeded; also when `split` is "all"). */
  splits: SplitName[];
}

/** Loads every PNG/JPEG under `dir`/<class>/ (sorted), optionally one split of them. */
export async function loadImages2D(dir: string, o: LoadImages2DOptions = {}): Promise<ImageSet2D> {
  const size = o.size ?? 128;
  const root = join(dir, "."); // normalised, no trailing separator
  const files = (await listFiles(root, 1)).filter((f) =>
    /\.(png|jpe?g)$/i.test(f) && dirname(f) !== root
  );
  if (files.length === 0) throw new DataError(dir, "no PNG/JPEG files in class sub-folders");
  const subjects: Subject[] = files.map((f) => {
    const cls = basename(dirname(f));
    return {
      id: `${cls}/${basename(f)}`,
      layout: "images2d",
      image: f,
      pathological: !HEALTHY_CLASS.test(cls),
      label: cls,
    };
  });
  const splits = assignSplits(subjects, o.seed ?? 0);
  const chosen = subjects.filter((s) =>
    !o.split || o.split === "all" || splits.get(s.id) === o.split
  );
  const classNames = [...new Set(subjects.map((s) => s.label!))].sort();
  const images = new Float32Array(chosen.length * size * size);
  for (const [n, s] of chosen.entries()) {
    const img = await decodeImage(s.image);
    const r = resizeBilinear(img.data, img.width, img.height, size, size);
    for (let i = 0; i < r.length; i++) {
      images[n * size * size + i] = 2 * Math.min(1, Math.max(0, r[i])) - 1;
    }
  }
  return {
    images,
    size,
    N: chosen.length,
    labels: chosen.map((s) => classNames.indexOf(s.label!)),
    classNames,
    healthy: chosen.map((s) => !s.pathological),
    files: chosen.map((s) => s.image),
    splits: chosen.map((s) => splits.get(s.id)!),
  };
}
