/**
 * `npm run bench -- <name>`: runs bench/<name>.ts's `main()`. Each bench is imported
 * only when asked for, so one that is missing or broken fails only its own run.
 */
const benches: Record<string, string> = {
  attention: "./attention.ts",
  engine: "./engine.ts",
  gemm: "./gemm.ts",
  train: "./train.ts"
}

const name = process.argv[2]
if (name === undefined || !(name in benches)) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join("|")}>\n`)
  process.exit(name === undefined ? 0 : 2)
}

const mod = (await import(benches[name])) as { readonly main?: () => Promise<void> }
if (typeof mod.main !== "function") {
  process.stderr.write(`bench/${name}.ts does not export main()\n`)
  process.exit(2)
}
await mod.main()
