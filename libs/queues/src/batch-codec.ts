import { gunzipSync, gzipSync } from 'node:zlib';

/** Records travel gzipped in job payloads: CloudTrail JSON compresses about tenfold. */
export function encodeRecords(records: readonly object[]): string {
  return gzipSync(JSON.stringify(records), { level: 1 }).toString('base64');
}

export function decodeRecords(recordsGz: string): Record<string, unknown>[] {
  return JSON.parse(gunzipSync(Buffer.from(recordsGz, 'base64')).toString('utf8')) as Record<string, unknown>[];
}
