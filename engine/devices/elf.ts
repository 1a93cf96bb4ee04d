// A small ELF reader: what a runner bundle needs to know of a native file (a node binary, onnxruntime's .so, a glibc
// library): its class, byte order and machine, the program interpreter it asks for, and the dynamic section's
// DT_NEEDED / DT_SONAME / DT_RPATH / DT_RUNPATH. The dynamic section is found through the program headers (PT_DYNAMIC,
// present in stripped files too) and its string table's address is mapped to a file offset through the PT_LOAD
// segments. Pure: `parseElf` takes a function that reads bytes at an offset; `readElfFile` gives it a file.
import { closeSync, openSync, readSync } from "node:fs";
import { EdgeError } from "../errors";

/** Machines a runner bundle meets (e_machine values). */
export const ELF_MACHINES: Readonly<Record<number, string>> = {
  3: "x86",
  40: "arm",
  62: "x86_64",
  183: "aarch64",
  243: "riscv",
};

/** Node's arch names for the machines above. */
export const ELF_ARCH: Readonly<Record<number, string>> = { 3: "ia32", 40: "arm", 62: "x64", 183: "arm64" };

export interface ElfInfo {
  /** 32 or 64 (EI_CLASS). */
  bits: 32 | 64;
  littleEndian: boolean;
  /** e_type: 2 executable, 3 shared object (also PIE executables). */
  type: number;
  /** e_machine, and its name when known ("aarch64", "x86_64"). */
  machine: number;
  machineName?: string;
  /** PT_INTERP: the loader an executable names ("/lib/ld-linux-aarch64.so.1"). */
  interpreter?: string;
  /** DT_NEEDED, in order. */
  needed: string[];
  soname?: string;
  rpath?: string[];
  runpath?: string[];
}

/** Reads `length` bytes at `offset`; returns fewer at the end of the file. */
export type ByteReader = (offset: number, length: number) => Uint8Array;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
/** Bounds for what a sane file has: a malformed one is an error, not a huge read. */
const MAX_PROGRAM_HEADERS = 4096;
const MAX_DYNAMIC_BYTES = 1 << 20;
const MAX_STRTAB_BYTES = 16 << 20;

function invalid(file: string | undefined, message: string): EdgeError {
  return new EdgeError("device/runner", `${file ?? "ELF file"}: ${message}`, file ? { file } : {});
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

/** Parses the ELF header, the program headers and the dynamic section. Throws `device/runner` for a non-ELF file. */
export function parseElf(read: ByteReader, file?: string): ElfInfo {
  const ident = read(0, 64);
  if (ident.length < 52 || ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46)
    throw invalid(file, "not an ELF file");
  const bits = ident[4] === 2 ? 64 : ident[4] === 1 ? 32 : undefined;
  if (bits === undefined) throw invalid(file, `unknown ELF class ${ident[4]}`);
  if (ident[5] !== 1 && ident[5] !== 2) throw invalid(file, `unknown ELF byte order ${ident[5]}`);
  const le = ident[5] === 1;
  const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = (v: DataView, at: number) => (bits === 64 ? Number(v.getBigUint64(at, le)) : v.getUint32(at, le));
  const header = view(ident);
  if (bits === 64 && ident.length < 64) throw invalid(file, "truncated ELF header");
  const type = header.getUint16(16, le);
  const machine = header.getUint16(18, le);
  const phoff = word(header, bits === 64 ? 32 : 28);
  const phentsize = header.getUint16(bits === 64 ? 54 : 42, le);
  const phnum = header.getUint16(bits === 64 ? 56 : 44, le);
  const info: ElfInfo = { bits, littleEndian: le, type, machine, machineName: ELF_MACHINES[machine], needed: [] };
  if (phnum === 0) return info;
  if (phnum > MAX_PROGRAM_HEADERS || phentsize < (bits === 64 ? 56 : 32))
    throw invalid(file, `implausible program headers (${phnum} of ${phentsize} bytes)`);

  const table = read(phoff, phnum * phentsize);
  if (table.length < phnum * phentsize) throw invalid(file, "truncated program header table");
  const tv = view(table);
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    const seg =
      bits === 64
        ? {
            type: tv.getUint32(at, le),
            offset: word(tv, at + 8),
            vaddr: word(tv, at + 16),
            filesz: word(tv, at + 32),
          }
        : {
            type: tv.getUint32(at, le),
            offset: tv.getUint32(at + 4, le),
            vaddr: tv.getUint32(at + 8, le),
            filesz: tv.getUint32(at + 16, le),
          };
    segments.push(seg);
  }

  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp && interp.filesz > 0 && interp.filesz < 4096) {
    const bytes = read(interp.offset, interp.filesz);
    info.interpreter = cString(bytes, 0);
  }

  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dynamic) return info;
  if (dynamic.filesz > MAX_DYNAMIC_BYTES) throw invalid(file, "implausible dynamic section size");
  const dynBytes = read(dynamic.offset, dynamic.filesz);
  const dv = view(dynBytes);
  const entrySize = bits === 64 ? 16 : 8;
  const entries: { tag: number; value: number }[] = [];
  for (let at = 0; at + entrySize <= dynBytes.length; at += entrySize) {
    const tag = bits === 64 ? Number(dv.getBigInt64(at, le)) : dv.getInt32(at, le);
    if (tag === DT_NULL) break;
    entries.push({ tag, value: word(dv, at + entrySize / 2) });
  }
  const strtabAddr = entries.find((e) => e.tag === DT_STRTAB)?.value;
  const strsz = entries.find((e) => e.tag === DT_STRSZ)?.value;
  if (strtabAddr === undefined || strsz === undefined) return info;
  if (strsz > MAX_STRTAB_BYTES) throw invalid(file, "implausible dynamic string table size");
  const load = segments.find((s) => s.type === PT_LOAD && strtabAddr >= s.vaddr && strtabAddr < s.vaddr + s.filesz);
  if (!load) throw invalid(file, "the dynamic string table lies in no loaded segment");
  const strtab = read(load.offset + (strtabAddr - load.vaddr), strsz);
  const str = (offset: number) => {
    if (offset >= strtab.length) throw invalid(file, `dynamic string offset ${offset} is outside its table`);
    return cString(strtab, offset);
  };
  for (const e of entries) {
    if (e.tag === DT_NEEDED) info.needed.push(str(e.value));
    else if (e.tag === DT_SONAME) info.soname = str(e.value);
    else if (e.tag === DT_RPATH) info.rpath = str(e.value).split(":");
    else if (e.tag === DT_RUNPATH) info.runpath = str(e.value).split(":");
  }
  return info;
}

function cString(bytes: Uint8Array, offset: number): string {
  let end = offset;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(offset, end));
}

/** Reads an ELF file's header and dynamic section (only the parts needed, never the whole file). */
export function readElfFile(path: string): ElfInfo {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new EdgeError("device/runner", `cannot open ${path}: ${(e as Error).message}`, { where: { file: path } });
  }
  try {
    return parseElf((offset, length) => {
      const buffer = Buffer.alloc(length);
      const n = readSync(fd, buffer, 0, length, offset);
      return buffer.subarray(0, n);
    }, path);
  } finally {
    closeSync(fd);
  }
}
