export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  pid: number | undefined;
  stop(): Promise<void>;
}
export function hasRedisServer(): boolean;
export function freePort(): Promise<number>;
export function startRedis(options?: { port?: number; dir?: string; appendonly?: boolean; args?: string[] }): Promise<PrivateRedis>;
