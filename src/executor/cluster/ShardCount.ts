/**
 * How many shards the cluster hashes units over. A constant, not a flag: it must
 * be equal in every process (shards are `hash(entity id) % shardsPerGroup`; a
 * process with another count would look for units on the wrong shards), and the
 * runner refuses units from a checkout whose code differs, so a constant in the
 * code is the one thing both sides are guaranteed to share. Its own module so the
 * planner (Makespan.ts, through the dry-run) can read it without loading the
 * cluster.
 */
export const SHARDS_PER_GROUP = 16
