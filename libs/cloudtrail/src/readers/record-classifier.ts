import type { CloudTrailRecord } from '../cloudtrail-record.types';
import { unwrapEventBridge } from '../eventbridge';
import { MAX_RECORD_DEPTH, recordTooDeep } from '../record-depth';
import type { MalformedCode } from './record-batch.types';

export type Classified = { ok: true; record: CloudTrailRecord } | { ok: false; code: MalformedCode; message: string };

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

/** Accepts a parsed JSON value as a CloudTrail record (unwrapping EventBridge), or says why not. */
export function classifyRecord(value: unknown): Classified {
  const inner = unwrapEventBridge(value);
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    return { ok: false, code: 'not_an_object', message: `expected a JSON object, got ${describe(inner)}` };
  }
  const record = inner as CloudTrailRecord;
  if (record.eventName === undefined && record.eventSource === undefined) {
    return { ok: false, code: 'not_cloudtrail', message: 'neither eventName nor eventSource is present' };
  }
  if (recordTooDeep(record)) {
    return { ok: false, code: 'too_deep', message: `the record nests deeper than ${MAX_RECORD_DEPTH} levels` };
  }
  return { ok: true, record };
}
