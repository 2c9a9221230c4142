/**
 * `npm run quickstart`: the README's third command. Against a running `npm start` it creates a
 * tenant, starts a local Standard Webhooks receiver and registers it, registers an AWS account
 * (no AWS needed in development), uploads samples/'s CloudTrail log file of the attack story, and
 * prints the findings, the verified webhooks and the curl commands to look further.
 *
 * TRAILGUARD_URL (default http://127.0.0.1:$PORT, PORT default 3000); the operator token from
 * ADMIN_TOKEN or DATA_DIR/dev-secrets.json (what `npm start` generated in development).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, trailguardClient, type Schemas } from './api-client';
import { DemoError, waitUntil } from './demo/api-client';
import { WebhookReceiver } from './demo/webhook-receiver';
import { LOG_FILE, sampleFiles } from './samples/make-samples';

type Finding = Schemas['Finding'];

export function operatorToken(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  const file = join(env.DATA_DIR || '.data', 'dev-secrets.json');
  if (!existsSync(file)) {
    throw new DemoError(
      'no_operator_token',
      `no ADMIN_TOKEN and no ${file}: start the server first (npm start), or set ADMIN_TOKEN / DATA_DIR as it has them`,
    );
  }
  return (JSON.parse(readFileSync(file, 'utf8')) as { adminToken: string }).adminToken;
}

export interface QuickstartResult {
  apiKey: string;
  accountId: string;
  findings: Finding[];
  webhooks: { type: string; verified: boolean }[];
}

export async function quickstart(baseUrl: string, adminToken: string, say: (line: string) => void): Promise<QuickstartResult> {
  const created = await ok(
    trailguardClient(baseUrl, { adminToken }).POST('/v1/tenants', { body: { name: `quickstart ${new Date().toISOString()}` } }),
    'POST /v1/tenants',
  );
  const apiKey = created.apiKey.key;
  const api = trailguardClient(baseUrl, { apiKey });
  say(`1. tenant ${created.tenant.id}, API key ${apiKey} (shown once)`);

  const receiver = await WebhookReceiver.start();
  try {
    const hook = await api.POST('/v1/webhooks', { body: { url: receiver.url, minSeverity: 'medium' } });
    if (hook.data) {
      receiver.useSecret(hook.data.secret);
      say(`2. webhook ${hook.data.id} -> ${receiver.url} (every delivery verified with standardwebhooks)`);
    } else {
      say(`2. webhook not registered: ${hook.error?.error.message ?? hook.response.status}`);
      say('   (loopback receivers need WEBHOOK_ALLOW_PRIVATE_TARGETS=true on the server: see README)');
    }

    const account = await ok(
      api.POST('/v1/aws-accounts', { body: { name: 'quickstart (samples/)', polling: false } }),
      'POST /v1/aws-accounts',
    );
    say(`3. AWS account ${account.id} registered (platform account ${account.platformAccountId}; no AWS call needed to upload files)`);

    const res = await fetch(`${baseUrl}/v1/aws-accounts/${account.id}/events`, {
      method: 'POST',
      // The gzipped log file as it is, not JSON: plain fetch (the typed client sends JSON bodies).
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/gzip' },
      body: sampleFiles(new Date(Date.now() - 5 * 60_000))[LOG_FILE],
    });
    const upload = (await res.json()) as { accepted: number; rejected: number };
    if (res.status !== 202) throw new DemoError('upload_failed', `upload answered ${res.status}: ${JSON.stringify(upload)}`);
    say(
      `4. uploaded samples/${LOG_FILE}, its story moved to end five minutes ago: ${upload.accepted} records accepted, ${upload.rejected} rejected`,
    );

    const findings = await waitUntil(
      'the multi-region UpdateTrail finding',
      async () => {
        const page = await ok(api.GET('/v1/findings', { params: { query: { limit: 200 } } }), 'GET /v1/findings');
        const findings = page.data as Finding[]; // the Trailguard format (no ?format=ocsf)
        return findings.some((f) => f.severity === 'high') ? findings : null;
      },
      60_000,
    );
    say(`5. ${findings.length} findings:`);
    const order = ['critical', 'high', 'medium', 'low', 'informational'];
    for (const f of [...findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity))) {
      say(`   ${f.severity.padEnd(6)} ${(f.ruleTitle ?? '').padEnd(52)} ${f.actor ?? ''}  (${f.id})`);
    }
    if (hook.data) {
      await waitUntil('a verified webhook', async () => receiver.received.some((w) => w.verified), 30_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1500)); // the other alerts of the story follow within a second
      const verified = receiver.received.filter((w) => w.verified).length;
      say(`6. webhooks received: ${receiver.received.length}, verified: ${verified}`);
    }
    say('');
    say('Look further:');
    say(`   curl -s ${baseUrl}/v1/findings -H 'Authorization: Bearer ${apiKey}'`);
    const high = findings.find((f) => f.severity === 'high');
    if (high) say(`   curl -s '${baseUrl}/v1/findings/${high.id}?format=ocsf' -H 'Authorization: Bearer ${apiKey}'`);
    say(`   npx trailguard scan samples/attack-story.ndjson      # the same rules, offline`);
    return {
      apiKey,
      accountId: account.id,
      findings,
      webhooks: receiver.received.map((w) => ({ type: w.type, verified: w.verified })),
    };
  } finally {
    await receiver.close();
  }
}

if (require.main === module) {
  const baseUrl = process.env.TRAILGUARD_URL ?? `http://127.0.0.1:${process.env.PORT || 3000}`;
  quickstart(baseUrl, operatorToken(), (line) => process.stdout.write(`${line}\n`)).then(
    () => process.exit(0),
    (err: unknown) => {
      const cause =
        (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED' ? ` (is \`npm start\` running on ${baseUrl}?)` : '';
      process.stderr.write(`quickstart failed: ${(err as Error).message}${cause}\n`);
      process.exit(1);
    },
  );
}
