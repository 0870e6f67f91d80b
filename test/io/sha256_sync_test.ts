// sha256() (src/io/sha256_sync.ts), the model file's synchronous checksum, gives WebCrypto's
// digest at every padding boundary (55/56/63/64/119/120 bytes) and on a large random buffer.

import { strictEqual } from "node:assert";
import { sha256, toHex } from "../../src/io/sha256_sync.ts";
import { sha256Hex } from "../../src/data/sha256.ts";

Deno.test("sha256() matches WebCrypto at the padding boundaries and on 1 MB", async () => {
  strictEqual(
    toHex(sha256(new TextEncoder().encode("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  const lengths = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 1 << 20];
  for (const n of lengths) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (i * 2654435761) >>> 24;
    strictEqual(toHex(sha256(b)), await sha256Hex(b), `${n} bytes`);
  }
  // A view into a larger buffer hashes only its own bytes.
  const big = new Uint8Array(300).map((_, i) => i);
  strictEqual(toHex(sha256(big.subarray(17, 217))), await sha256Hex(big.slice(17, 217)));
});
