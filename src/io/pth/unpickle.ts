// A restricted pickle reader for PyTorch checkpoints: the opcodes torch.save writes (protocols
// 2–5), with `find_class` limited to an allowlist, as `torch.load(weights_only=True)` does. It
// never calls anything: an allowed global becomes a marker object and REDUCE / NEWOBJ / BUILD on
// it are interpreted by `reduceGlobal` (the caller's rebuilders for tensors and ordered dicts). A
// global outside the allowlist, or an opcode outside the supported set, is refused with one line
// naming the file and what was found.

import { UserError } from "../../core/errors.ts";

/** A global reference (`module.name`) found in the pickle and allowed by the caller. */
export class PickleGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** The value of `persistent_load(pid)`: torch uses ('storage', type, key, location, numel). */
export type PersistentLoad = (pid: unknown) => unknown;

/** Turns `callable(*args)` (REDUCE/NEWOBJ) into a value, or throws when not allowed. */
export type ReduceGlobal = (fn: PickleGlobal, args: unknown[]) => unknown;

export interface UnpickleOptions {
  /** File name for error messages. */
  source: string;
  /** Allowed globals as "module.name". */
  allowed: ReadonlySet<string>;
  persistentLoad: PersistentLoad;
  reduce: ReduceGlobal;
}

const MARK = Symbol("mark");

/** Parses one pickle; returns the top-level value. */
export function unpickle(bytes: Uint8Array, o: UnpickleOptions): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  const fail = (what: string): never => {
    throw new UserError(`${o.source}: ${what}`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail("pickle data is truncated");
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), pos += 2, dv.getUint16(pos - 2, true));
  const u32 = () => (need(4), pos += 4, dv.getUint32(pos - 4, true));
  const i32 = () => (need(4), pos += 4, dv.getInt32(pos - 4, true));
  const raw = (n: number) => (need(n), pos += n, bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(10, pos);
    if (end < 0) fail("pickle data is truncated");
    const s = text.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const popMark = (): unknown[] => {
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i] === MARK) {
        const items = stack.splice(i);
        items.shift();
        return items;
      }
    }
    return fail("malformed pickle (no MARK)");
  };
  const top =
    () => (stack.length ? stack[stack.length - 1] : fail("malformed pickle (empty stack)"));
  const pop = () => (stack.length ? stack.pop() : fail("malformed pickle (empty stack)"));
  const findClass = (module: string, name: string) => {
    const q = `${module}.${name}`;
    if (!o.allowed.has(q)) {
      fail(
        `refusing to load global '${q}': only tensors and (ordered) dicts are read ` +
          "(as torch.load(weights_only=True)); re-save the weights with torch.save(model.state_dict())",
      );
    }
    return new PickleGlobal(module, name);
  };
  const setItems = (d: unknown, kv: unknown[]) => {
    if (!(d instanceof Map)) fail("malformed pickle (SETITEM on a non-dict)");
    for (let i = 0; i + 1 < kv.length; i += 2) (d as Map<unknown, unknown>).set(kv[i], kv[i + 1]);
  };
  const long = (b: Uint8Array) => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b.length && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return Number(v);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        raw(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: // LONG1
        stack.push(long(raw(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(long(raw(u32())));
        break;
      case 0x49: { // INT (text)
        const s = line();
        stack.push(s === "01" ? true : s === "00" ? false : parseInt(s, 10));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(parseInt(line().replace(/L$/, ""), 10));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text.decode(raw(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text.decode(raw(u8())));
        break;
      case 0x8d: // BINUNICODE8
        need(8);
        pos += 8;
        stack.push(text.decode(raw(Number(dv.getBigUint64(pos - 8, true)))));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(text.decode(raw(u8())));
        break;
      case 0x54: // BINSTRING
        stack.push(text.decode(raw(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(raw(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(raw(u32()).slice());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: { // LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail("malformed pickle (unknown memo key)");
        stack.push(memo.get(k));
        break;
      }
      case 0x74: // TUPLE
        stack.push(Object.freeze(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(Object.freeze([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop(), a = pop();
        stack.push(Object.freeze([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop(), b = pop(), a = pop();
        stack.push(Object.freeze([a, b, c]));
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: { // DICT
        const d = new Map();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x61: { // APPEND
        const v = pop();
        const l = top();
        if (!Array.isArray(l)) fail("malformed pickle (APPEND on a non-list)");
        (l as unknown[]).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const l = top();
        if (!Array.isArray(l)) fail("malformed pickle (APPENDS on a non-list)");
        (l as unknown[]).push(...items);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop(), k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: // SETITEMS
      {
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail("malformed pickle (ADDITEMS on a non-set)");
        for (const x of items) (s as Set<unknown>).add(x);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        stack.push(findClass(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop(), module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          fail("malformed pickle (STACK_GLOBAL)");
        }
        stack.push(findClass(module as string, name as string));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(o.persistentLoad(pop()));
        break;
      case 0x52: // REDUCE
      case 0x81: { // NEWOBJ
        const args = pop(), fn = pop();
        if (!(fn instanceof PickleGlobal) || !Array.isArray(args)) {
          fail("malformed pickle (REDUCE on a non-global)");
        }
        stack.push(o.reduce(fn as PickleGlobal, [...(args as unknown[])]));
        break;
      }
      case 0x62: { // BUILD: state on an object; only an ordered dict's (empty) state is allowed
        const state = pop();
        const obj = top();
        if (obj instanceof Map && (state === null || (state instanceof Map && state.size === 0))) {
          break;
        }
        if (obj instanceof Map && state instanceof Map) {
          // torch.nn.Module state dicts carry `_metadata` as object state: ignore it.
          break;
        }
        fail("refusing to set object state (BUILD): only tensors and dicts are read");
        break;
      }
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}
