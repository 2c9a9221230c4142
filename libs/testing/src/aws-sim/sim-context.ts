import type { SimStore } from './sim-store';
import type { SimCredential } from './sim-types';

/** One authenticated request as the protocol handlers see it. */
export interface SimContext {
  store: SimStore;
  credential: SimCredential;
  /** Region from the SigV4 credential scope. */
  region: string;
  requestId: string;
  sourceIp: string;
  userAgent: string;
  /** ms since epoch when the request reached the server: what rate limits and the log use. */
  arrival: number;
  now(): number;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** AWS ISO-8601 without milliseconds, as STS and CloudTrail records use. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
