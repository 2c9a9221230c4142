/**
 * Webhook sending throughput: build body + sign (Standard Webhooks, 2 secrets as during rotation)
 * + sendWebhook() through the SSRF-safe agent to a node:http receiver running in a child process
 * (so receiver and sender do not share an event loop), at fixed concurrency levels.
 *
 *   node -r @swc-node/register bench/webhooks-send.bench.ts [--concurrency 1,16,64] [--seconds 5] [--max 20000]
 *
 * Each level stops at --max deliveries or --seconds, whichever comes first, after a warm-up.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { SsrfSafeAgent, buildWebhookBody, generateMessageId, generateWebhookSecret, sendWebhook, signPayload } from '@trailguard/webhooks';

const RECEIVER_SOURCE = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => { res.writeHead(204); res.end(); });
});
server.keepAliveTimeout = 10000;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

async function startReceiver(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork('-e', [RECEIVER_SOURCE], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // fork() with '-e' runs the inline source as the module.
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(Number(m)));
    child.once('error', reject);
  });
  return { child, port };
}

interface LevelResult {
  concurrency: number;
  deliveries: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function runLevel(
  url: string,
  agent: SsrfSafeAgent,
  secrets: string[],
  concurrency: number,
  max: number,
  seconds: number,
): Promise<LevelResult> {
  const latencies: number[] = [];
  let started = 0;
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const begin = performance.now();
  const worker = async (): Promise<void> => {
    while (started < max && performance.now() < deadline) {
      started += 1;
      const t0 = performance.now();
      const body = buildWebhookBody(
        'finding.created',
        { id: `f_${started}`, ruleId: 'aws-root-login', severity: 'high', accountId: '123456789012' },
        new Date(),
      );
      const headers = signPayload({ msgId: generateMessageId(), timestamp: new Date(), body, secrets });
      const result = await sendWebhook({ url, body, headers, dispatcher: agent });
      if (!result.ok) failures += 1;
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const elapsed = (performance.now() - begin) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    concurrency,
    deliveries: latencies.length,
    failures,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
  };
}

function signingRate(secrets: string[]): number {
  const count = 20_000;
  const body = buildWebhookBody('finding.created', { id: 'f_1', ruleId: 'aws-root-login', severity: 'high' }, new Date());
  const t0 = performance.now();
  for (let i = 0; i < count; i += 1) signPayload({ msgId: `msg_${i}`, timestamp: new Date(), body, secrets });
  return count / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const levels = arg('concurrency', '1,16,64').split(',').map(Number);
  const seconds = Number(arg('seconds', '5'));
  const max = Number(arg('max', '20000'));
  const { child, port } = await startReceiver();
  const agent = new SsrfSafeAgent({ allowPrivate: true, allowHttp: true });
  const secrets = [generateWebhookSecret(), generateWebhookSecret()];
  const url = `http://127.0.0.1:${port}/hook`;
  try {
    await runLevel(url, agent, secrets, 8, 500, 2); // warm-up: JIT, connection pool
    console.log(`signing alone (body + 2 signatures): ${signingRate(secrets).toFixed(0)} per second`);
    console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${new Date().toISOString()}`);
    console.log('| concurrency | deliveries | failures | seconds | deliveries/s | p50 ms | p99 ms |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    for (const concurrency of levels) {
      const r = await runLevel(url, agent, secrets, concurrency, max, seconds);
      console.log(
        `| ${r.concurrency} | ${r.deliveries} | ${r.failures} | ${r.seconds.toFixed(2)} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
      );
    }
  } finally {
    await agent.destroy();
    child.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
