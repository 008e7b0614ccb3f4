export interface ClusterNode {
  host: string;
  port: number;
  pid: number | undefined;
}

export interface PrivateRedisCluster {
  nodes: ClusterNode[];
  /** host:port,host:port…, as REDIS_CLUSTER_NODES takes them (all nodes, or those given). */
  nodeList(only?: ClusterNode[]): string;
  /** The node serving the slot of a key (a hash tag such as {hookflow} names the slot). */
  ownerOf(key: string): Promise<{ slot: number; node: ClusterNode }>;
  /** Ends exactly the redis-server processes it started, and removes their files. */
  stop(): Promise<void>;
}

export function startRedisCluster(options?: { masters?: number; timeoutMs?: number }): Promise<PrivateRedisCluster>;
