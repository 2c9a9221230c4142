/**
 * A typed client of Trailguard's HTTP API, generated from its OpenAPI document
 * (openapi-typescript types, openapi-fetch at run time): a request or response that the document
 * does not describe does not compile. Regenerate the types with `npm run api:client`.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './openapi-types';

export type { components, paths };
export type Schemas = components['schemas'];
export type TrailguardClient = ReturnType<typeof createClient<paths>>;

/** A client for `baseUrl`, sending `Authorization: Bearer <apiKey>` or `X-Admin-Token` when given. */
export function trailguardClient(baseUrl: string, auth: { apiKey?: string; adminToken?: string } = {}): TrailguardClient {
  const client = createClient<paths>({ baseUrl });
  const credentials: Middleware = {
    onRequest({ request }) {
      if (auth.apiKey) request.headers.set('authorization', `Bearer ${auth.apiKey}`);
      if (auth.adminToken) request.headers.set('x-admin-token', auth.adminToken);
      return request;
    },
  };
  client.use(credentials);
  return client;
}

/** The data of a call, or an Error naming the operation and the error envelope's code and message. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>, what: string): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || data === undefined) {
    const e = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new Error(`${what} answered ${response.status}${e ? ` ${e.code}: ${e.message}` : ''}`);
  }
  return data;
}
