// The one cache of kernel specs built from WGSL templates: a wrapper that specialises a shader
// (placeholders replaced by an op's expression, a flag, a tile size) asks here, keyed by the
// wrapper's name and its variant, so each variant's source is built once per process and the
// dispatcher's pipeline cache (keyed by that source) sees the same string every call.

import type { KernelSpec } from "../core/dispatch.ts";
import type { Fields } from "../core/uniforms.ts";

const specs = new Map<string, KernelSpec>();

/**
 * The spec of `family`'s variant `key`, built by `make` on first use. A family's variants share
 * one parameter block (the key names the variant, not its block).
 */
export function cachedSpec<F extends Fields>(
  family: string,
  key: string,
  make: () => KernelSpec<F>,
): KernelSpec<F> {
  const k = `${family}\u0000${key}`;
  let s = specs.get(k);
  if (!s) specs.set(k, s = make());
  return s as KernelSpec<F>;
}
