import { ok, trailguardClient, type TrailguardClient } from '../api-client';

export { ok };

/**
 * Trailguard's public HTTP API as a customer's script would use it: `typed` is the client generated
 * from the OpenAPI document (scripts/api-client), the rest a thin fetch for what it does not cover
 * (raw bodies, expected error statuses).
 */
export class DemoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

export interface CallOptions {
  body?: unknown;
  /** `Authorization: Bearer` value; defaults to the client's API key. */
  bearer?: string | null;
  headers?: Record<string, string>;
  /** Statuses that count as success; anything else throws with the error envelope. */
  expect?: number[];
}

export class ApiClient {
  /** The generated, typed client with this client's API key. */
  readonly typed: TrailguardClient;

  constructor(
    readonly baseUrl: string,
    readonly apiKey: string | null = null,
  ) {
    this.typed = trailguardClient(baseUrl, apiKey ? { apiKey } : {});
  }

  withKey(apiKey: string): ApiClient {
    return new ApiClient(this.baseUrl, apiKey);
  }

  async call<T = Json>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { ...opts.headers };
    const bearer = opts.bearer === undefined ? this.apiKey : opts.bearer;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = await res.text();
    const expected = opts.expect ?? [200, 201, 202, 204];
    if (!expected.includes(res.status)) {
      throw new DemoError('api_call_failed', `${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  get<T = Json>(path: string, opts?: CallOptions): Promise<T> {
    return this.call<T>('GET', path, opts);
  }

  post<T = Json>(path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
    return this.call<T>('POST', path, { ...opts, body: body ?? {} });
  }
}

/** Polls `probe` until it returns a value, or fails naming what did not arrive. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  lastSeen?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const detail = lastSeen ? `; last seen: ${lastSeen()}` : '';
      throw new DemoError('timeout', `${what} did not arrive within ${Math.round(timeoutMs / 1000)} s${detail}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}
