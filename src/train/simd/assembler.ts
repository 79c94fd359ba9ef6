/**
 * A tiny WebAssembly assembler: instruction builders that return byte arrays, and
 * `assemble`, which wraps function definitions into a module. It lets the kernels
 * (kernels.ts) be written in TypeScript with no toolchain, so the wasm bytes are
 * produced from source on every machine and the source is what the cache keys hash.
 */

/** The slice of the WebAssembly JS API used here (tsconfig's lib has no DOM/wasm types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
}
export interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> }
  validate(bytes: Uint8Array): boolean
}
export const wasm = (): WasmApi | undefined => (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly

export const uleb = (n: number): Array<number> => {
  const out: Array<number> = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

export const sleb = (n: number): Array<number> => {
  const out: Array<number> = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

export type Code = Array<number>

export const simd = (op: number): Code => [0xfd, ...uleb(op)]
export const I32 = 0x7f
export const V128 = 0x7b

// --- instructions -------------------------------------------------------------
export const get = (i: number): Code => [0x20, ...uleb(i)]
export const set = (i: number, e: Code): Code => [...e, 0x21, ...uleb(i)]
export const i32c = (v: number): Code => [0x41, ...sleb(v)]
export const i32add = (a: Code, b: Code): Code => [...a, ...b, 0x6a]
export const i32mul = (a: Code, b: Code): Code => [...a, ...b, 0x6c]
export const i32geU = (a: Code, b: Code): Code => [...a, ...b, 0x4f]
export const i32load = (addr: Code): Code => [...addr, 0x28, 2, 0]
export const vload = (addr: Code): Code => [...addr, ...simd(0x00), 4, 0]
export const vstore = (addr: Code, value: Code): Code => [...addr, ...value, ...simd(0x0b), 4, 0]
export const fconst = (c: number): Code => {
  const b = new Uint8Array(new Float32Array([c, c, c, c]).buffer)
  return [...simd(0x0c), ...b]
}
export const iconst4 = (c: number): Code => {
  const b = new Uint8Array(new Int32Array([c, c, c, c]).buffer)
  return [...simd(0x0c), ...b]
}
export const bin = (op: number) => (a: Code, b: Code): Code => [...a, ...b, ...simd(op)]
export const un = (op: number) => (a: Code): Code => [...a, ...simd(op)]
export const fadd = bin(0xe4)
export const fsub = bin(0xe5)
export const fmul = bin(0xe6)
export const fdiv = bin(0xe7)
export const fmax = bin(0xe9)
export const flt = bin(0x43)
export const fabs = un(0xe0)
export const fnearest = un(0x6a)
export const truncSat = un(0xf8)
export const iadd4 = bin(0xae)
export const ishl4 = (a: Code, k: number): Code => [...a, ...i32c(k), ...simd(0xab)]
export const bitselect = (a: Code, b: Code, mask: Code): Code => [...a, ...b, ...mask, ...simd(0x52)]

/** `for (i = 0; i < limit; i += step) body` with i32 locals. */
export const forLoop = (i: number, limit: Code, step: number, body: Code): Code => [
  ...set(i, i32c(0)),
  0x02, 0x40, // block
  0x03, 0x40, // loop
  ...i32geU(get(i), limit), 0x0d, 1, // br_if exit
  ...body,
  ...set(i, i32add(get(i), i32c(step))),
  0x0c, 0, // br loop
  0x0b, 0x0b // end loop, end block
]


export interface FnDef {
  readonly name: string
  /** Parameter count (all i32) or explicit value types. */
  readonly params: number | ReadonlyArray<number>
  readonly locals: ReadonlyArray<[number, number]>
  readonly body: Code
}

export const F32 = 0x7d
export const fsplat = (e: Code): Code => [...e, ...simd(0x13)]
export const fsqrt = un(0xe3)
export const lane = (v: Code, i: number): Code => [...v, ...simd(0x1f), i]
export const sadd = (a: Code, b: Code): Code => [...a, ...b, 0x92]
export const smul = (a: Code, b: Code): Code => [...a, ...b, 0x94]
export const sdiv = (a: Code, b: Code): Code => [...a, ...b, 0x95]
export const ssqrt = (a: Code): Code => [...a, 0x91]
export const sconst = (c: number): Code => [0x43, ...new Uint8Array(new Float32Array([c]).buffer)]
export const sload = (addr: Code): Code => [...addr, 0x2a, 2, 0]
export const sstore = (addr: Code, value: Code): Code => [...addr, ...value, 0x38, 2, 0]
/** Sum of the four lanes of a v128 local. */
export const hsum = (v: number): Code => sadd(sadd(lane(get(v), 0), lane(get(v), 1)), sadd(lane(get(v), 2), lane(get(v), 3)))

export const section = (id: number, content: Code): Code => [id, ...uleb(content.length), ...content]
export const vec = (items: ReadonlyArray<Code>): Code => [...uleb(items.length), ...items.flat()]
export const str = (s: string): Code => {
  const b = [...Buffer.from(s, "utf8")]
  return [...uleb(b.length), ...b]
}

/** A wasm module of `fns`, importing one memory as env.memory and exporting each function by name. */
export const assemble = (fns: ReadonlyArray<FnDef>): Uint8Array => {
  const types = fns.map((f) => {
    const ps = typeof f.params === "number" ? Array.from({ length: f.params }, () => I32) : f.params
    return [0x60, ...vec(ps.map((t) => [t])), 0]
  })
  const imports = vec([[...str("env"), ...str("memory"), 0x02, 0x00, ...uleb(1)]])
  const funcs = vec(fns.map((_, i) => uleb(i)))
  const exports = vec(fns.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))
  const bodies = vec(
    fns.map((f) => {
      const body = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, 0x0b]
      return [...uleb(body.length), ...body]
    })
  )
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, bodies)
  ])
}
