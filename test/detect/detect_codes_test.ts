// detect's maps declare the same space as their scan: nibabel-made scans with each combination
// of sform/qform codes a scan arrives with (MNI 4, aligned 2, scanner 1, Talairach 3, unset 0),
// oblique and LPS (tools/fixtures/detect_codes_fixtures.py), and the anomaly map and mask come
// back with the same codes, the same best affine and, where the scan has one, the same qform.
// Before, the maps were always written as "scanner" (1/1), so an MNI overlay lost its space.

import { deepStrictEqual } from "node:assert";
import * as nifti from "nifti-reader-js";
import { gunzipSync } from "fflate";
import { quaternToAffine } from "../../src/data/nifti/affine.ts";
import { parseNifti } from "../../src/data/nifti/read_nifti.ts";
import { detectVolume } from "../../src/detect/detect_volume.ts";
import { assertClose, setup } from "../helpers.ts";
import { tinyRun } from "./_tiny_run.ts";

const DIR = new URL("../fixtures/detect/", import.meta.url);
const META = JSON.parse(Deno.readTextFileSync(new URL("codes.json", DIR))) as Record<
  string,
  { sformCode: number; qformCode: number; affine: number[][]; qform: number[][]; dims: number[] }
>;

/** sform/qform codes and the qform matrix of NIfTI-1 bytes (gzipped or not). */
function header(bytes: Uint8Array) {
  const raw = bytes[0] === 0x1f ? gunzipSync(bytes) : bytes;
  const buf = new Uint8Array(raw).buffer as ArrayBuffer;
  const h = nifti.readHeader(buf);
  const qform = quaternToAffine({
    b: h.quatern_b,
    c: h.quatern_c,
    d: h.quatern_d,
    x: h.qoffset_x,
    y: h.qoffset_y,
    z: h.qoffset_z,
    dx: h.pixDims[1],
    dy: h.pixDims[2],
    dz: h.pixDims[3],
    qfac: h.pixDims[0] === -1 ? -1 : 1,
  });
  return { sformCode: h.sform_code, qformCode: h.qform_code, qform };
}

Deno.test("detect's maps keep the scan's sform/qform codes, affine and qform", async (t) => {
  await setup();
  const run = tinyRun();
  try {
    for (const [name, m] of Object.entries(META)) {
      await t.step(name, async () => {
        const file = `${name}.nii.gz`;
        const bytes = Deno.readFileSync(new URL(file, DIR));
        const out = await detectVolume(run, bytes, file, null, { threshold: 0.05 });
        for (const [what, b] of [["anomaly", out.anomaly], ["mask", out.mask]] as const) {
          const h = header(b!);
          deepStrictEqual([h.sformCode, h.qformCode], [m.sformCode, m.qformCode], what);
          const v = parseNifti(b!, what);
          deepStrictEqual(v.dims.slice(0, 3), m.dims, what);
          assertClose(v.affine.flat(), m.affine.flat(), { atol: 1e-4, rtol: 0 });
          if (m.qformCode > 0) assertClose(h.qform.flat(), m.qform.flat(), { atol: 1e-4, rtol: 0 });
        }
      });
    }
  } finally {
    run.model.dispose();
  }
});
