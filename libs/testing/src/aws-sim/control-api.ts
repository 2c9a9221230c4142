import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsSimulator, RequestLogFilter } from './aws-simulator';
import { readBody } from './sim-server';
import type { CloudTrailRecord, SimService } from './sim-types';

type Json = Record<string, unknown>;

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function str(body: Json, field: string, required = true): string | undefined {
  const v = body[field];
  if (typeof v === 'string' && v !== '') return v;
  if (required) throw new ControlError(400, `${field} (string) is required`);
  return undefined;
}

function num(body: Json, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') throw new ControlError(400, `${field} must be a number`);
  return v;
}

function strings(body: Json, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ControlError(400, `${field} must be strings`);
  return v as string[];
}

function records(body: Json): CloudTrailRecord[] {
  const v = body.records;
  if (!Array.isArray(v)) throw new ControlError(400, 'records must be an array of CloudTrail records');
  for (const r of v as Json[]) {
    if (typeof r?.eventID !== 'string' || typeof r.eventTime !== 'string') {
      throw new ControlError(400, 'every record needs eventID and eventTime');
    }
  }
  return v as CloudTrailRecord[];
}

type Route = (sim: AwsSimulator, body: Json, params: string[], query: URLSearchParams) => unknown;

const ROUTES: [string, RegExp, Route][] = [
  ['POST', /^\/_sim\/reset$/, (sim) => (sim.reset(), { ok: true })],
  [
    'POST',
    /^\/_sim\/platform-account$/,
    (sim, b) => sim.createPlatformAccount({ accountId: str(b, 'accountId', false), userName: str(b, 'userName', false) }),
  ],
  ['POST', /^\/_sim\/accounts$/, (sim, b) => ({ accountId: sim.createAccount(str(b, 'accountId', false)) })],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/users$/,
    (sim, b, [id]) => sim.createUser(id!, str(b, 'userName')!, strings(b, 'permissions') ?? []),
  ],
  [
    'POST',
    /^\/_sim\/customer-account$/,
    (sim, b) =>
      sim.createCustomerAccount({
        accountId: str(b, 'accountId', false),
        roleName: str(b, 'roleName', false),
        trustedAccountId: str(b, 'trustedAccountId')!,
        externalId: str(b, 'externalId', false) ?? null,
        permissions: strings(b, 'permissions'),
      }),
  ],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/roles$/,
    (sim, b, [id]) =>
      sim.createRole(id!, {
        roleName: str(b, 'roleName')!,
        trustedAccountId: str(b, 'trustedAccountId')!,
        externalId: str(b, 'externalId', false) ?? null,
        permissions: strings(b, 'permissions') ?? [],
      }),
  ],
  [
    'POST',
    /^\/_sim\/roles\/permissions$/,
    (sim, b) => {
      const roleArn = str(b, 'roleArn')!;
      for (const p of strings(b, 'revoke') ?? []) sim.revokePermission(roleArn, p);
      for (const p of strings(b, 'grant') ?? []) sim.grantPermission(roleArn, p);
      return { ok: true };
    },
  ],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/trails$/,
    (sim, b, [id]) =>
      sim.createTrail(id!, {
        name: str(b, 'name')!,
        region: str(b, 'region')!,
        s3BucketName: str(b, 's3BucketName')!,
        s3KeyPrefix: str(b, 's3KeyPrefix', false) ?? null,
        isMultiRegion: b.isMultiRegion !== false,
        includeGlobalServiceEvents: b.includeGlobalServiceEvents !== false,
        isLogging: b.isLogging !== false,
        includeManagementEvents: b.includeManagementEvents !== false,
        logFileValidationEnabled: b.logFileValidationEnabled === true,
        kmsKeyId: str(b, 'kmsKeyId', false) ?? null,
      }),
  ],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/trails\/([^/]+)\/digests$/,
    (sim, b, [id, trail]) => {
      const time = str(b, 'time', false);
      return { key: sim.deliverDigest(id!, decodeURIComponent(trail!), str(b, 'region')!, time ? new Date(time) : undefined) };
    },
  ],
  ['GET', /^\/_sim\/accounts\/(\d{12})\/trails$/, (sim, _b, [id]) => ({ trails: sim.trails(id!) })],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/events$/,
    (sim, b, [id]) => {
      const list = records(b);
      sim.appendEvents(id!, str(b, 'region')!, list);
      return { appended: list.length };
    },
  ],
  ['GET', /^\/_sim\/accounts\/(\d{12})\/events$/, (sim, _b, [id], q) => ({ records: sim.events(id!, q.get('region') ?? 'us-east-1') })],
  ['POST', /^\/_sim\/buckets$/, (sim, b) => (sim.createBucket(str(b, 'name')!, str(b, 'ownerAccountId')!), { ok: true })],
  [
    'POST',
    /^\/_sim\/buckets\/([^/]+)\/log-files$/,
    (sim, b, [bucket]) => {
      const time = str(b, 'time', false);
      return {
        key: sim.putLogFile(bucket!, {
          accountId: str(b, 'accountId')!,
          region: str(b, 'region')!,
          records: records(b),
          ...(time ? { time: new Date(time) } : {}),
          prefix: str(b, 'prefix', false) ?? null,
        }),
      };
    },
  ],
  [
    'PUT',
    /^\/_sim\/buckets\/([^/]+)\/objects$/,
    (sim, b, [bucket]) => {
      const base64 = str(b, 'bodyBase64', false);
      const body = base64 !== undefined ? Buffer.from(base64, 'base64') : Buffer.from(str(b, 'body', false) ?? '');
      sim.putObject(bucket!, str(b, 'key')!, body, str(b, 'contentType', false));
      return { ok: true };
    },
  ],
  [
    'POST',
    /^\/_sim\/buckets\/([^/]+)\/tamper$/,
    (sim, b, [bucket]) => {
      const action = str(b, 'action')!;
      if (action !== 'delete' && action !== 'alter') throw new ControlError(400, 'action must be "delete" or "alter"');
      sim.tamperObject(bucket!, str(b, 'key')!, action);
      return { ok: true };
    },
  ],
  [
    'PUT',
    /^\/_sim\/settings$/,
    (sim, b) => {
      if ('credentialLifetimeSeconds' in b) sim.setCredentialLifetime(num(b, 'credentialLifetimeSeconds') ?? null);
      if ('lookupEventsPerSecond' in b) sim.setLookupEventsRateLimit(num(b, 'lookupEventsPerSecond') ?? null);
      return sim.store.settings;
    },
  ],
  [
    'POST',
    /^\/_sim\/faults\/throttle$/,
    (sim, b) => (sim.throttleStorm({ every: num(b, 'every'), durationMs: num(b, 'durationMs') }), { ok: true }),
  ],
  [
    'POST',
    /^\/_sim\/faults\/server-error$/,
    (sim, b) => (sim.failNext(str(b, 'action')!, num(b, 'count') ?? 1, num(b, 'status') ?? 500), { ok: true }),
  ],
  ['POST', /^\/_sim\/faults\/expire-credentials$/, (sim) => ({ expired: sim.expireAllCredentials() })],
  ['DELETE', /^\/_sim\/faults$/, (sim) => (sim.clearFaults(), { ok: true })],
  [
    'GET',
    /^\/_sim\/requests$/,
    (sim, _b, _p, q) => {
      const filter: RequestLogFilter = {};
      const service = q.get('service');
      if (service) filter.service = service as SimService;
      for (const k of ['action', 'accountId', 'region'] as const) {
        const v = q.get(k);
        if (v) filter[k] = v;
      }
      const since = q.get('since');
      if (since) filter.since = Number(since);
      return { requests: sim.requests(filter) };
    },
  ],
];

/** The plain-JSON control API under /_sim/ (no auth: it is a test fixture). */
export async function handleControl(sim: AwsSimulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim');
  let status = 200;
  let payload: unknown;
  try {
    const raw = await readBody(req);
    let body: Json = {};
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Json;
      } catch {
        throw new ControlError(400, 'body must be JSON');
      }
    }
    const route = ROUTES.find(([m, re]) => m === req.method && re.test(url.pathname));
    if (!route) throw new ControlError(404, `no control route ${req.method} ${url.pathname}`);
    const params = (route[1].exec(url.pathname) ?? []).slice(1);
    payload = route[2](sim, body, params, url.searchParams);
  } catch (err) {
    status = err instanceof ControlError ? err.status : 400;
    payload = { error: { code: status === 404 ? 'not_found' : 'bad_request', message: (err as Error).message } };
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}
