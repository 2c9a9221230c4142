/**
 * EventBridge delivers CloudTrail events wrapped in an envelope:
 * `{ "version", "id", "detail-type": "AWS API Call via CloudTrail", "source": "aws.<svc>", "detail": {...} }`.
 * Other CloudTrail-derived detail types ("AWS Console Sign In via CloudTrail", "AWS Service Event
 * via CloudTrail") carry the record the same way.
 */
export interface EventBridgeEnvelope {
  'detail-type': string;
  detail: Record<string, unknown>;
  [key: string]: unknown;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function isEventBridgeEnvelope(value: unknown): value is EventBridgeEnvelope {
  if (!isPlainObject(value)) return false;
  const detailType = value['detail-type'];
  const detail = value['detail'];
  if (typeof detailType !== 'string' || !isPlainObject(detail)) return false;
  // Test fixtures often put placeholders in detail-type; the inner record still identifies itself.
  return /via CloudTrail$/i.test(detailType) || 'eventName' in detail || 'eventSource' in detail;
}

/** The CloudTrail record inside an EventBridge envelope, or the value itself when it is not one. */
export function unwrapEventBridge(value: unknown): unknown {
  return isEventBridgeEnvelope(value) ? value.detail : value;
}
