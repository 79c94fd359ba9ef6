/**
 * The one path by which any keyed unit (a stage or a cell) is produced:
 * lookup → lock → look again → compute and commit. Within a process, requesters
 * of one key share a single computation; across processes the key's lock file
 * does it, and the second look finds what the lock holder committed. A unit is
 * therefore computed at most once however many runs ask for it at once.
 *
 * A forced flight (`run --force`) skips both looks: it computes under the lock
 * and commits over the old entry, which stays readable until the new one's
 * rename lands. It is its own flight, so a plain request for the same key in the
 * same run cannot hand it the old value.
 */
import { Effect } from "effect"
import type { StoreError } from "./Errors.ts"
import { Store } from "./Store.ts"

export type Found<A> =
  | { readonly _tag: "Found"; readonly value: A }
  /** `problem` is set when an entry was there but unusable (it is recomputed). */
  | { readonly _tag: "Missing"; readonly problem?: string }

export interface Flight<A, E> {
  readonly key: string
  readonly lookup: Effect.Effect<Found<A>, E | StoreError>
  /** Runs with the key's lock held, after the second lookup missed; commits what it returns. */
  readonly compute: Effect.Effect<A, E | StoreError>
  readonly onProblem: (problem: string) => void
  readonly onWait: (holder: string) => void
  /** Recompute even when the store has the key. */
  readonly force?: boolean
}

export interface Landed<A> {
  readonly value: A
  /** True when this process computed it (false: a hit, here or after waiting). */
  readonly computed: boolean
  /** False for the first requester of the key in this process. */
  readonly shared: boolean
}

export type SingleFlight = <A, E>(flight: Flight<A, E>) => Effect.Effect<Landed<A>, E | StoreError>

export const makeSingleFlight = Effect.fnUntraced(function*() {
  const store = yield* Store
  const inflight = new Map<string, Effect.Effect<{ readonly value: unknown; readonly computed: boolean }, unknown>>()

  const land = <A, E>(flight: Flight<A, E>) =>
    Effect.gen(function*() {
      if (flight.force !== true) {
        const first = yield* flight.lookup
        if (first._tag === "Found") return { value: first.value, computed: false }
        if (first.problem !== undefined) flight.onProblem(first.problem)
      }
      return yield* store.withLock(
        flight.key,
        Effect.gen(function*() {
          const again = flight.force === true ? ({ _tag: "Missing" } as const) : yield* flight.lookup
          if (again._tag === "Found") return { value: again.value, computed: false }
          return { value: yield* flight.compute, computed: true }
        }),
        flight.onWait
      )
    })

  const singleFlight: SingleFlight = <A, E>(flight: Flight<A, E>) =>
    Effect.gen(function*() {
      const id = flight.force === true ? `${flight.key}\0force` : flight.key
      let shared = inflight.get(id) as Effect.Effect<{ readonly value: A; readonly computed: boolean }, E | StoreError> | undefined
      const first = shared === undefined
      if (shared === undefined) {
        shared = yield* Effect.cached(land(flight))
        inflight.set(id, shared)
      }
      const landed = yield* shared
      return { ...landed, shared: !first }
    })
  return singleFlight
})
