// Where the page takes files from: a drop zone (highlighted while files hover over it) and a file
// input beside it, both handing their files to one callback. The scan queue and the Train tab
// take files the same way, so both use this.

/** Wires the drop zone `dropId` and the file input `inputId` to `onFiles`. */
export function acceptFiles(
  dropId: string,
  inputId: string,
  onFiles: (files: Iterable<File>) => Promise<void> | void,
) {
  const drop = document.getElementById(dropId)!;
  drop.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    drop.classList.remove("over");
    void onFiles(ev.dataTransfer?.files ?? []);
  });
  document.getElementById(inputId)!.addEventListener("change", async (ev) => {
    const input = ev.target as HTMLInputElement;
    await onFiles(Array.from(input.files ?? []));
    input.value = "";
  });
}
