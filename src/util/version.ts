// neurad's version: package.json's, imported so the bundle and the compiled binary carry it.

import pkg from "../../package.json" with { type: "json" };

export const NEURAD_VERSION: string = pkg.version;
