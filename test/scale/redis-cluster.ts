import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface ClusterNodeProcess {
  port: number;
  process: ChildProcess;
}

/**
 * A Redis Cluster of `redis-server` processes on local ports: `masters` masters with one replica
 * each (`redis-cli --cluster create ... --cluster-replicas 1`), AOF on, loopback only.
 */
export class LocalRedisCluster {
  private readonly nodes = new Map<number, ClusterNodeProcess>();

  private constructor(
    readonly dir: string,
    readonly ports: number[],
  ) {}

  /** `host:port,...`: what REDIS_CLUSTER_NODES is given. */
  get seedNodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  static async start(options: { dir: string; basePort: number; masters?: number }): Promise<LocalRedisCluster> {
    const count = (options.masters ?? 3) * 2;
    const ports = Array.from({ length: count }, (_, i) => options.basePort + i);
    const cluster = new LocalRedisCluster(options.dir, ports);
    await rm(options.dir, { recursive: true, force: true });
    for (const port of ports) await cluster.startNode(port);
    await Promise.all(ports.map((p) => waitForPing(p, 15_000)));
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}\n${create.stderr}`);
    await cluster.waitUntilHealthy(30_000);
    return cluster;
  }

  private async startNode(port: number): Promise<void> {
    const dir = join(this.dir, String(port));
    await mkdir(dir, { recursive: true });
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '3000',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    this.nodes.set(port, { port, process: child });
  }

  private client(port: number): Redis {
    return new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  }

  async command<T>(port: number, ...args: (string | number)[]): Promise<T> {
    const c = this.client(port);
    try {
      await c.connect();
      return (await c.call(String(args[0]), ...args.slice(1).map(String))) as T;
    } finally {
      c.disconnect();
    }
  }

  /** Every live node reports cluster_state:ok and all slots served. */
  async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const live = this.livePorts();
      const infos = await Promise.all(live.map((p) => this.command<string>(p, 'CLUSTER', 'INFO').catch(() => '')));
      if (infos.every((i) => /cluster_state:ok/.test(i) && /cluster_slots_ok:16384/.test(i))) return;
      if (Date.now() > deadline)
        throw new Error(`cluster not healthy within ${timeoutMs} ms: ${infos.map((i) => /cluster_state:\w+/.exec(i)?.[0]).join(', ')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  livePorts(): number[] {
    return [...this.nodes.values()].filter((n) => n.process.exitCode === null && n.process.signalCode === null).map((n) => n.port);
  }

  /** master port -> its replicas' ports, from CLUSTER NODES of a live node. */
  async topology(): Promise<Array<{ master: number; replicas: number[]; slots: string }>> {
    const text = await this.command<string>(this.livePorts()[0]!, 'CLUSTER', 'NODES');
    const rows = text
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const portOf = (addr: string) => Number(/:(\d+)@/.exec(addr)?.[1]);
    const alive = (flags: string) => !/fail|noaddr/.test(flags);
    return rows
      .filter((r) => r[2]!.includes('master') && alive(r[2]!))
      .map((m) => ({
        master: portOf(m[1]!),
        slots: m.slice(8).join(' '),
        replicas: rows.filter((r) => r[3] === m[0] && alive(r[2]!)).map((r) => portOf(r[1]!)),
      }));
  }

  /** The master port that serves `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const slot = await this.command<number>(this.livePorts()[0]!, 'CLUSTER', 'KEYSLOT', key);
    for (const m of await this.topology()) {
      for (const range of m.slots.split(' ').filter(Boolean)) {
        const [from, to] = range.split('-').map(Number);
        if (slot >= from! && slot <= (to ?? from)!) return m.master;
      }
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /**
   * A manual failover of `master`: CLUSTER FAILOVER on one of its replicas (which waits for the
   * replica to catch up, then swaps roles), then SIGKILL of the old master.
   */
  async failOver(master: number): Promise<{ promoted: number }> {
    const entry = (await this.topology()).find((t) => t.master === master);
    const replica = entry?.replicas[0];
    if (!replica) throw new Error(`master ${master} has no live replica`);
    await this.command(replica, 'CLUSTER', 'FAILOVER');
    const deadline = Date.now() + 30_000;
    while (!/^master/.test(String(((await this.command<unknown[]>(replica, 'ROLE')) ?? [])[0]))) {
      if (Date.now() > deadline) throw new Error(`replica ${replica} was not promoted within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    this.kill(master);
    await this.waitUntilHealthy(30_000);
    return { promoted: replica };
  }

  kill(port: number): void {
    this.nodes.get(port)?.process.kill('SIGKILL');
  }

  /** Sums of INFO commandstats calls over the live masters: command -> calls. */
  async commandCalls(): Promise<Record<string, number>> {
    const sum: Record<string, number> = {};
    for (const { master } of await this.topology()) {
      const text = await this.command<string>(master, 'INFO', 'commandstats');
      for (const m of text.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) sum[m[1]!] = (sum[m[1]!] ?? 0) + Number(m[2]);
    }
    return sum;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.nodes.values()].map(
        (n) =>
          new Promise<void>((done) => {
            if (n.process.exitCode !== null || n.process.signalCode !== null) return done();
            n.process.once('exit', () => done());
            n.process.kill('SIGKILL');
          }),
      ),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    try {
      await c.connect();
      if ((await c.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      c.disconnect();
    }
  }
}
