// vitest 5 (required by @effect/vitest 4) targets Node >= 22 and calls three
// ES2024 built-ins that Node 20 lacks; its reporter crashes on the first failure
// without them. Preloaded by `npm test` (and inherited by the test forks).
if (typeof Map.groupBy !== "function") {
  Map.groupBy = (items, key) => {
    const out = new Map()
    let i = 0
    for (const item of items) {
      const k = key(item, i++)
      const bucket = out.get(k)
      if (bucket) bucket.push(item)
      else out.set(k, [item])
    }
    return out
  }
}
if (typeof Object.groupBy !== "function") {
  Object.groupBy = (items, key) => {
    const out = Object.create(null)
    let i = 0
    for (const item of items) {
      const k = key(item, i++)
      ;(out[k] ??= []).push(item)
    }
    return out
  }
}
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function () {
    let resolve, reject
    const promise = new this((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}
