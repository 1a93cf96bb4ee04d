// The part of the WebAssembly JavaScript API the engine uses (the quantization kernels in quantize/wasm/). TypeScript
// declares WebAssembly only in its DOM library, which the engine project leaves out so that browser globals cannot
// creep into node code (engine/tsconfig.json); node has the API itself. Shapes as in lib.dom.d.ts, so the types agree
// where both are seen. Only the engine project includes this file.
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  const Memory: {
    prototype: Memory;
    new (descriptor: MemoryDescriptor): Memory;
  };

  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an opaque compiled module, as in lib.dom
  interface Module {}
  const Module: {
    prototype: Module;
    new (bytes: ArrayBufferView | ArrayBuffer): Module;
  };

  type Imports = Record<string, Record<string, unknown>>;
  type Exports = Record<string, unknown>;
  interface Instance {
    readonly exports: Exports;
  }
  const Instance: {
    prototype: Instance;
    new (module: Module, importObject?: Imports): Instance;
  };
}
