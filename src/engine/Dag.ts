/**
 * The node graph, on effect's Graph: cycle witness, topological order and the
 * mermaid/dot renderings of `grokflow dag`. Edges point from a producer to the
 * node that needs it.
 */
import { Graph, Option } from "effect"

type Edge = readonly [from: string, to: string]

const build = (ids: ReadonlyArray<string>, edges: ReadonlyArray<Edge>) => {
  const index = new Map<string, Graph.NodeIndex>()
  const graph = Graph.directed<string, string>((g) => {
    for (const id of ids) index.set(id, Graph.addNode(g, id))
    for (const [from, to] of edges) {
      const a = index.get(from)
      const b = index.get(to)
      if (a !== undefined && b !== undefined) Graph.addEdge(g, a, b, "")
    }
  })
  return graph
}

/** One cycle as node ids, closed (`a → b → a` is `["a","b","a"]`), or undefined. */
export const findCycle = (ids: ReadonlyArray<string>, edges: ReadonlyArray<Edge>): ReadonlyArray<string> | undefined => {
  const graph = build(ids, edges)
  const cycle = Graph.findCycle(graph)
  if (Option.isNone(cycle)) return undefined
  return cycle.value.path.map((i) => Option.getOrThrow(Graph.getNode(graph, i)))
}

/** A topological order: every node after the nodes it needs (Kahn's algorithm). */
export const topoOrder = (ids: ReadonlyArray<string>, edges: ReadonlyArray<Edge>): ReadonlyArray<string> => {
  const graph = build(ids, edges)
  return Array.from(Graph.values(Graph.topo(graph)))
}

export type DagFormat = "text" | "mermaid" | "dot"

export interface DagNodeView {
  readonly id: string
  readonly stage: string
  readonly status?: string
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly node: string | undefined }>
}

export const renderDag = (nodes: ReadonlyArray<DagNodeView>, format: DagFormat): string => {
  const label = (n: DagNodeView) =>
    (n.stage === n.id ? n.id : `${n.id} (${n.stage})`) + (n.status ? ` [${n.status}]` : "")
  if (format === "text") {
    return nodes
      .map((n) => {
        const ins = n.inputs.map((i) => (i.node === undefined ? `${i.name}: (absent)` : i.name === i.node ? i.node : `${i.name}: ${i.node}`))
        return ins.length === 0 ? label(n) : `${label(n)} <- ${ins.join(", ")}`
      })
      .join("\n")
  }
  const ids = nodes.map((n) => n.id)
  const edges = nodes.flatMap((n) => n.inputs.flatMap((i) => (i.node === undefined ? [] : [[i.node, n.id] as const])))
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const edgeLabel = new Map(nodes.flatMap((n) => n.inputs.map((i) => [`${i.node}->${n.id}`, i.name] as const)))
  const graph = Graph.directed<string, string>((g) => {
    const index = new Map<string, Graph.NodeIndex>()
    for (const id of ids) index.set(id, Graph.addNode(g, id))
    for (const [from, to] of edges) Graph.addEdge(g, index.get(from)!, index.get(to)!, edgeLabel.get(`${from}->${to}`) ?? "")
  })
  const nodeLabel = (id: string) => label(byId.get(id)!)
  return format === "mermaid"
    ? Graph.toMermaid(graph, { nodeLabel, edgeLabel: (e) => e, direction: "LR" })
    : Graph.toGraphViz(graph, { nodeLabel, edgeLabel: (e) => e, graphName: "grokflow" })
}
