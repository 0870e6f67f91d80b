/**
 * Subject: one scan (and its lesion mask, if any) found in a dataset, whatever the layout.
 * @module
 */

/** Dataset layouts neurad recognises. */
export type LayoutName = "ixi" | "brats" | "atlas" | "pairs" | "images2d";

/** One subject's files. Healthy subjects have no mask. */
export interface Subject {
  id: string;
  layout: LayoutName;
  image: string;
  mask?: string;
  pathological: boolean;
  /** For 2D image folders: the class folder (healthy, glioma, …). */
  label?: string;
}
