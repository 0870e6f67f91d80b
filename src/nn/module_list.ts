// ModuleList (torch.nn.ModuleList): children registered as "0", "1", ... with no forward of
// its own, so keys read "layers.0.weight" as in PyTorch.

import { Module } from "./module.ts";

export class ModuleList<M extends Module> extends Module {
  readonly items: readonly M[];

  constructor(items: M[]) {
    super();
    this.items = [...items];
    items.forEach((m, i) => this.registerModule(String(i), m));
  }
}
