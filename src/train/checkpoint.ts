/**
 * Checkpoints of a running cell so an interrupted cell resumes instead of restarting.
 *
 * A checkpoint is the whole RunState: per seed its parameters and Adam moments
 * (float32, bit-exact) plus step, crossings and trajectory so far. Training draws no
 * randomness after init and split (full batch), so there is no RNG stream to save;
 * the resumed run is bit-identical to an uninterrupted one.
 *
 * Files, per tag: `<tag>@<step>.bin` (every Float32Array in layout order) and
 * `<tag>.json` (metadata naming the .bin). Each is written to a temp file, fsynced
 * and renamed, the .bin first, so a crash leaves either the old or the new pair.
 */
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { CellSpec } from "./CellSpec.ts"
import type { RunState, SeedState } from "./cellRun.ts"
import { layoutOf, sizeOf, type ParamInfo } from "./params.ts"
import { canonicalJson, hashWords } from "./seeding.ts"

const FORMAT = "grokflow-train-checkpoint-v2"

/** A seed's state without its tensors, which go to the binary part of the file. */
type SeedMeta = Omit<SeedState, "params" | "moments">

interface Meta {
  format: string
  specHash: string
  step: number
  bin: string
  floats: number
  seeds: Array<SeedMeta>
}

/** Digest of explicit initial parameters, so a checkpoint never crosses inits. */
export const initFingerprint = (init: ReadonlyArray<Readonly<Record<string, ArrayLike<number>>>> | undefined): string => {
  if (init === undefined) return "default"
  const h = createHash("sha256")
  for (const seed of init)
    for (const name of Object.keys(seed).sort()) {
      h.update(name)
      h.update(new Uint8Array(Float32Array.from(seed[name]).buffer))
    }
  return h.digest("hex")
}

const specHash = (spec: unknown): string => hashWords(FORMAT, canonicalJson(spec)).map((w) => w.toString(16)).join("")

const writeAtomic = (file: string, data: Uint8Array | string): void => {
  const tmp = `${file}.tmp-${process.pid}`
  const fd = fs.openSync(tmp, "w")
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data) : data)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
}

/** Float32Arrays of one seed in a fixed order: params, m, v per layout entry. */
const seedArrays = (layout: ReadonlyArray<ParamInfo>, s: SeedState): Array<Float32Array> =>
  layout.flatMap((i) => [s.params[i.name], s.moments.m[i.name], s.moments.v[i.name]])

export class Checkpointer {
  private lastSave = performance.now()
  private readonly layout: ReadonlyArray<ParamInfo>
  private readonly hash: string

  /** `identity` is what must match for a checkpoint to be reused (spec, fork arm…). */
  constructor(
    readonly dir: string,
    readonly spec: CellSpec,
    readonly tag: string,
    readonly everySeconds: number,
    identity: unknown = spec
  ) {
    this.layout = layoutOf(spec)
    this.hash = specHash(identity)
  }

  private metaFile(): string {
    return path.join(this.dir, `${this.tag}.json`)
  }

  load(): RunState | undefined {
    let meta: Meta
    try {
      meta = JSON.parse(fs.readFileSync(this.metaFile(), "utf8")) as Meta
    } catch {
      return undefined
    }
    if (meta.format !== FORMAT || meta.specHash !== this.hash) return undefined
    let buf: Buffer
    try {
      buf = fs.readFileSync(path.join(this.dir, meta.bin))
    } catch {
      return undefined
    }
    if (buf.byteLength !== meta.floats * 4) return undefined
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
    let offset = 0
    const take = (n: number): Float32Array => {
      const x = all.slice(offset, offset + n)
      offset += n
      return x
    }
    const seeds = meta.seeds.map((m): SeedState => {
      const params: Record<string, Float32Array> = {}
      const mm: Record<string, Float32Array> = {}
      const vv: Record<string, Float32Array> = {}
      for (const info of this.layout) {
        const n = sizeOf(info.shape)
        params[info.name] = take(n)
        mm[info.name] = take(n)
        vv[info.name] = take(n)
      }
      return { ...m, params, moments: { m: mm, v: vv } }
    })
    if (offset !== all.length) return undefined
    return { step: meta.step, seeds }
  }

  /** Saves when `everySeconds` have passed since the last save. */
  maybeSave(state: RunState): void {
    if ((performance.now() - this.lastSave) / 1000 >= this.everySeconds) this.save(state)
  }

  save(state: RunState): void {
    fs.mkdirSync(this.dir, { recursive: true })
    const arrays = state.seeds.flatMap((s) => seedArrays(this.layout, s))
    const floats = arrays.reduce((n, a) => n + a.length, 0)
    const flat = new Float32Array(floats)
    let offset = 0
    for (const a of arrays) {
      flat.set(a, offset)
      offset += a.length
    }
    const bin = `${this.tag}@${state.step}.bin`
    writeAtomic(path.join(this.dir, bin), new Uint8Array(flat.buffer))
    const meta: Meta = {
      format: FORMAT,
      specHash: this.hash,
      step: state.step,
      bin,
      floats,
      seeds: state.seeds.map((s) => ({
        seed: s.seed,
        index: s.index,
        active: s.active,
        stepsTrained: s.stepsTrained,
        tMem: s.tMem,
        tGrok: s.tGrok,
        normAtGrok: s.normAtGrok,
        extra: s.extra,
        traj: s.traj
      }))
    }
    writeAtomic(this.metaFile(), JSON.stringify(meta))
    this.removeStale(bin)
    this.lastSave = performance.now()
  }

  private removeStale(keep: string): void {
    let names: Array<string>
    try {
      names = fs.readdirSync(this.dir)
    } catch {
      return
    }
    for (const name of names) if (this.isBin(name) && name !== keep) fs.rmSync(path.join(this.dir, name), { force: true })
  }

  private isBin(name: string): boolean {
    const prefix = `${this.tag}@`
    return name.startsWith(prefix) && /^\d+\.bin$/.test(name.slice(prefix.length))
  }

  /** Small JSON side results (finished fork arms), written atomically; `name` has no dots. */
  saveResult(name: string, value: unknown): void {
    fs.mkdirSync(this.dir, { recursive: true })
    writeAtomic(path.join(this.dir, `${this.tag}.${name}.result.json`), JSON.stringify({ specHash: this.hash, value }))
  }

  loadResult<T>(name: string): T | undefined {
    try {
      const x = JSON.parse(fs.readFileSync(path.join(this.dir, `${this.tag}.${name}.result.json`), "utf8")) as { specHash: string; value: T }
      return x.specHash === this.hash ? x.value : undefined
    } catch {
      return undefined
    }
  }

  /** Removes this tag's files once the cell is done. */
  clear(): void {
    let names: Array<string>
    try {
      names = fs.readdirSync(this.dir)
    } catch {
      return
    }
    for (const name of names) {
      const result = name.startsWith(`${this.tag}.`) && name.endsWith(".result.json") && !name.slice(this.tag.length + 1, -12).includes(".")
      if (name === `${this.tag}.json` || this.isBin(name) || result) fs.rmSync(path.join(this.dir, name), { force: true })
    }
  }
}
