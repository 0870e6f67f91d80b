/**
 * NIfTI datatype codes: name, byte width and the DataView getter that decodes one voxel with
 * the file's endianness. The single table both the reader and the writer consult.
 * @module
 */

/** Voxel datatypes neurad reads (NIfTI-1 `datatype` field). */
export interface NiftiDatatype {
  code: number;
  name: "uint8" | "int8" | "int16" | "uint16" | "int32" | "uint32" | "float32" | "float64";
  bytes: number;
  get: (v: DataView, offset: number, littleEndian: boolean) => number;
}

const TABLE: NiftiDatatype[] = [
  { code: 2, name: "uint8", bytes: 1, get: (v, o) => v.getUint8(o) },
  { code: 256, name: "int8", bytes: 1, get: (v, o) => v.getInt8(o) },
  { code: 4, name: "int16", bytes: 2, get: (v, o, le) => v.getInt16(o, le) },
  { code: 512, name: "uint16", bytes: 2, get: (v, o, le) => v.getUint16(o, le) },
  { code: 8, name: "int32", bytes: 4, get: (v, o, le) => v.getInt32(o, le) },
  { code: 768, name: "uint32", bytes: 4, get: (v, o, le) => v.getUint32(o, le) },
  { code: 16, name: "float32", bytes: 4, get: (v, o, le) => v.getFloat32(o, le) },
  { code: 64, name: "float64", bytes: 8, get: (v, o, le) => v.getFloat64(o, le) },
];

/** Looks a datatype up by its NIfTI code; undefined for unsupported ones (complex, RGB, int64). */
export function datatypeByCode(code: number): NiftiDatatype | undefined {
  return TABLE.find((t) => t.code === code);
}

/** Looks a datatype up by name. */
export function datatypeByName(name: NiftiDatatype["name"]): NiftiDatatype {
  return TABLE.find((t) => t.name === name)!;
}
