// The page's multiplanar viewer: NiiVue (bundled from npm, WebGL2) showing a scan with detect's
// anomaly map over it (colour map, opacity and display threshold adjustable) and the mask's
// outline on top, all on the scan's own grid and affine, so scanner coordinates (a lesion's
// centroid) move the crosshair to the right place. Volumes come from bytes already in the tab.

import { Niivue, NVImage, SHOW_RENDER, SLICE_TYPE } from "@niivue/niivue";
import { maskOutline } from "./mask_outline.ts";

/** The colour maps offered for the anomaly overlay (NiiVue names). */
export const OVERLAY_COLORMAPS = ["warm", "hot", "plasma", "viridis", "inferno", "red"] as const;

export interface OverlaySettings {
  colormap: string;
  /** 0..1 */
  opacity: number;
  /** Map values below this are not drawn. */
  threshold: number;
  outline: boolean;
}

/** Largest finite value of an overlay (its colour scale's top). */
function maxOf(img: ArrayLike<number>): number {
  let hi = 0;
  for (let i = 0; i < img.length; i++) if (img[i] > hi && Number.isFinite(img[i])) hi = img[i];
  return hi;
}

export class Viewer {
  readonly nv: Niivue;
  #ready: Promise<void>;
  #overlay: NVImage | null = null;
  /** The anomaly map as loaded; the overlay shows a copy with values under the threshold at 0
   * (NiiVue draws an overlay's zeros transparent). */
  #map: Float32Array | null = null;
  #shownThreshold = NaN;
  #outline: NVImage | null = null;
  #settings: OverlaySettings;
  /** Location under the crosshair, for the page's read-out. */
  onLocation: (text: string) => void = () => {};

  /** `render3d`: add the 3D rendering pane (off on a software GPU, where ray casting a volume
   * takes seconds per frame and blocks the page). */
  constructor(canvas: HTMLCanvasElement, settings: OverlaySettings, render3d = true) {
    this.#settings = { ...settings };
    this.nv = new Niivue({
      multiplanarShowRender: render3d ? SHOW_RENDER.AUTO : SHOW_RENDER.NEVER,
      backColor: [0.06, 0.07, 0.09, 1],
      crosshairColor: [0.2, 0.9, 0.3, 1],
      isColorbar: true,
      logLevel: "error",
      loadingText: "",
      show3Dcrosshair: render3d,
    });
    this.nv.onLocationChange = (d: unknown) => {
      const s = (d as { string?: string }).string;
      if (s) this.onLocation(s);
    };
    this.#ready = this.nv.attachToCanvas(canvas).then(() => {
      this.nv.setSliceType(SLICE_TYPE.MULTIPLANAR);
    });
  }

  /** Shows a scan with its anomaly map and mask (either may be null). */
  async show(
    scan: { bytes: Uint8Array; name: string },
    anomaly: Uint8Array | null,
    mask: Uint8Array | null,
  ): Promise<void> {
    await this.#ready;
    for (const v of [...this.nv.volumes]) this.nv.removeVolume(v);
    this.#overlay = this.#outline = null;
    this.#map = null;
    const s = this.#settings;
    // NiiVue picks its reader from the name: always a NIfTI name (a name it does not know would
    // make it fetch the name as a URL), gzip or not by the bytes' magic.
    const load = (bytes: Uint8Array, base: string, o: Record<string, unknown>) => {
      const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
      const name = `${base}.nii${gz ? ".gz" : ""}`;
      return NVImage.loadFromUrl({ url: name, name, buffer: bytes.slice().buffer, ...o });
    };
    const back = await load(scan.bytes, "scan", { colormap: "gray" });
    this.nv.addVolume(back);
    if (anomaly) {
      this.#overlay = await load(anomaly, "anomaly", { colormap: s.colormap, opacity: s.opacity });
      const img = this.#overlay.img as unknown as ArrayLike<number>;
      this.#map = Float32Array.from(img);
      (this.#overlay as unknown as { img: Float32Array }).img = new Float32Array(img.length);
      this.#shownThreshold = NaN;
      this.#overlay.cal_max = Math.max(maxOf(this.#map), 1e-6);
      this.#overlay.colormapType = 1; // colour scale from 0
      this.nv.addVolume(this.#overlay);
    }
    if (mask) {
      this.#outline = await load(mask, "mask_outline", { colormap: "green", opacity: 1 });
      const dims = this.#outline.hdr!.dims as number[];
      const img = this.#outline.img as unknown as ArrayLike<number>;
      (this.#outline as unknown as { img: Uint8Array }).img = maskOutline(
        img,
        dims[1],
        dims[2],
        dims[3],
      );
      this.#outline.cal_min = 0.5;
      this.#outline.cal_max = 1;
      this.#outline.colorbarVisible = false;
      this.#outline.colormapType = 1;
      this.nv.addVolume(this.#outline);
    }
    this.apply(s);
  }

  /** Applies colour map, opacity, threshold and outline to the shown overlay. */
  apply(s: OverlaySettings): void {
    this.#settings = { ...s };
    const vols = this.nv.volumes;
    if (this.#overlay && this.#map) {
      const o = this.#overlay;
      if (s.threshold !== this.#shownThreshold) {
        const img = o.img as unknown as Float32Array, map = this.#map, t = s.threshold;
        for (let i = 0; i < map.length; i++) img[i] = map[i] >= t ? map[i] : 0;
        this.#shownThreshold = t;
      }
      o.cal_min = Math.min(s.threshold, (o.cal_max ?? 1) - 1e-6);
      o.opacity = s.opacity;
      o.colormap = s.colormap;
    }
    if (this.#outline) {
      this.#outline.opacity = s.outline ? 1 : 0;
    }
    if (vols.length) this.nv.updateGLVolume();
  }

  /** The overlay's largest value (the threshold slider's range), or 0 without one. */
  get overlayMax(): number {
    return this.#overlay?.cal_max ?? 0;
  }

  /** Moves the crosshair to scanner coordinates (mm). */
  moveTo(world: [number, number, number]): void {
    if (this.nv.volumes.length === 0) return;
    this.nv.scene.crosshairPos = this.nv.mm2frac(world);
    this.nv.drawScene();
    this.nv.createOnLocationChange();
  }

  /** The crosshair in scanner coordinates (mm). */
  crosshairWorld(): number[] {
    const f = this.nv.scene.crosshairPos;
    return Array.from(this.nv.frac2mm(f as unknown as [number, number, number])).slice(0, 3);
  }
}
