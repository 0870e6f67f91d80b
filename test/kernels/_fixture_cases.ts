// Runs one PyTorch fixture case (written by tools/fixtures/torch_cases.py): inputs `<case>.in<i>`
// (absent = null, e.g. no bias), settings `<case>.cfg`, output `<case>.out`, upstream gradient
// `<case>.gout`, input gradients `<case>.grad<i>`; compares the output and every gradient.

import type { Tensor } from "../../src/mod.ts";
import type { HostTensor } from "../../src/io/safetensors.ts";
import { assertClose, type CloseOptions, toTensor } from "../helpers.ts";

/** Case names under `prefix` (e.g. "conv."), in file order. */
export function caseNames(f: Map<string, HostTensor>, prefix: string): string[] {
  return [...f.keys()].filter((k) => k.startsWith(prefix) && k.endsWith(".cfg"))
    .map((k) => k.slice(0, -4));
}

/** The case's integer settings. */
export function cfgOf(f: Map<string, HostTensor>, name: string): number[] {
  return [...f.get(`${name}.cfg`)!.data];
}

/**
 * Runs op on the case's inputs (tensors with gradients where the fixture has them), checks the
 * output and, after backward(gout), every gradient the fixture holds.
 */
export async function checkCase(
  f: Map<string, HostTensor>,
  name: string,
  inputs: number,
  op: (...xs: (Tensor | null)[]) => Tensor,
  tol: CloseOptions = {},
) {
  const xs = Array.from({ length: inputs }, (_, i) => {
    const h = f.get(`${name}.in${i}`);
    return h ? toTensor(h, f.has(`${name}.grad${i}`)) : null;
  });
  const y = op(...xs);
  assertClose(await y.toArray(), f.get(`${name}.out`)!.data, { ...tol, name: `${name} output` });
  const gout = toTensor(f.get(`${name}.gout`)!);
  y.backward(gout);
  for (let i = 0; i < inputs; i++) {
    const expected = f.get(`${name}.grad${i}`);
    if (!expected) continue;
    const g = xs[i]?.grad;
    if (!g) throw new Error(`${name}: input ${i} got no gradient`);
    assertClose(await g.toArray(), expected.data, { ...tol, name: `${name} grad${i}` });
  }
  for (const t of [...xs, y, gout]) t?.dispose();
}
