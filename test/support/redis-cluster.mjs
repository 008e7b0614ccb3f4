// Plain JavaScript, like redis-server.mjs, so plain Node (the bench) can start a cluster too.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { freePort } from './redis-server.mjs';

const run = promisify(execFile);

/**
 * A private Redis Cluster of `masters` masters (no replicas) on free loopback ports, for tests
 * that must not touch a shared Redis. Without persistence: its data lives as long as it runs.
 * `stop()` ends exactly the redis-server processes started here (by their PIDs) and removes the
 * directory of their cluster files.
 */
export async function startRedisCluster({ masters = 3, timeoutMs = 20_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-redis-cluster-'));
  const nodes = [];
  const stop = async () => {
    await Promise.all(nodes.map(({ child }) => stopChild(child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freeClusterPort(nodes.map((node) => node.port));
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--daemonize',
          'no',
        ],
        { stdio: 'ignore' },
      );
      nodes.push({ host: '127.0.0.1', port, pid: child.pid, child });
    }
    const deadline = Date.now() + timeoutMs;
    for (const node of nodes)
      await untilAnswers(
        () => cli(node.port, 'ping'),
        (out) => out === 'PONG',
        deadline,
        `node ${node.port} did not start`,
      );
    await run('redis-cli', ['--cluster', 'create', ...nodes.map(({ port }) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: timeoutMs,
    });
    // Every node must know the whole cluster, or a client it answers could be sent the wrong way.
    for (const node of nodes) {
      await untilAnswers(
        () => cli(node.port, 'cluster', 'info'),
        (out) => /cluster_state:ok/.test(out) && new RegExp(`cluster_known_nodes:${masters}\\b`).test(out),
        deadline,
        `node ${node.port} did not reach cluster_state:ok`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: nodes.map(({ host, port, pid }) => ({ host, port, pid })),
    /** host:port,host:port…, as REDIS_CLUSTER_NODES takes them. */
    nodeList: (only) => (only ?? nodes).map(({ host, port }) => `${host}:${port}`).join(','),
    /** The node serving the slot of a key (a hash tag such as {hookflow} names the slot). */
    async ownerOf(key) {
      const slot = Number(await cli(nodes[0].port, 'cluster', 'keyslot', key));
      const ranges = JSON.parse((await run('redis-cli', ['-p', String(nodes[0].port), '--json', 'cluster', 'slots'])).stdout);
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      const { host, port, pid } = nodes.find((node) => node.port === range[2][1]);
      return { slot, node: { host, port, pid } };
    },
    stop,
  };
}

/** A free port whose cluster bus port (10000 above it) is free too. */
async function freeClusterPort(taken) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await freePort();
    if (port + 10000 > 65535 || taken.includes(port) || taken.includes(port + 10000)) continue;
    if (await isFree(port + 10000)) return port;
  }
  throw new Error('no free pair of loopback ports for a cluster node');
}

function isFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function cli(port, ...args) {
  return (await run('redis-cli', ['-p', String(port), ...args], { timeout: 5000 })).stdout.trim();
}

async function untilAnswers(ask, ok, deadline, message) {
  for (;;) {
    const out = await ask().catch((error) => error.message);
    if (ok(out)) return;
    if (Date.now() > deadline) throw new Error(`${message}: ${out}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
