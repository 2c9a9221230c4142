import { isEventBridgeEnvelope, unwrapEventBridge } from './eventbridge';

describe('EventBridge envelopes', () => {
  const detail = { eventName: 'UpdateTrail', eventSource: 'cloudtrail.amazonaws.com' };

  it('unwraps "AWS API Call via CloudTrail"', () => {
    const envelope = { version: '0', id: 'x', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.cloudtrail', detail };
    expect(isEventBridgeEnvelope(envelope)).toBe(true);
    expect(unwrapEventBridge(envelope)).toBe(detail);
  });

  it('unwraps console sign-in events and placeholder detail-types whose detail is a record', () => {
    expect(unwrapEventBridge({ 'detail-type': 'AWS Console Sign In via CloudTrail', detail: { foo: 1 } })).toEqual({ foo: 1 });
    expect(unwrapEventBridge({ 'detail-type': '...', detail })).toBe(detail);
  });

  it('leaves other values alone', () => {
    const plain = { eventName: 'X', detail: { a: 1 } };
    expect(unwrapEventBridge(plain)).toBe(plain);
    const otherBus = { 'detail-type': 'EC2 Instance State-change Notification', detail: { state: 'running' } };
    expect(isEventBridgeEnvelope(otherBus)).toBe(false);
    expect(unwrapEventBridge(otherBus)).toBe(otherBus);
    expect(isEventBridgeEnvelope({ 'detail-type': 'AWS API Call via CloudTrail', detail: [1] })).toBe(false);
    expect(unwrapEventBridge(null)).toBeNull();
  });
});
