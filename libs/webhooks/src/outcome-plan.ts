import type { AttemptContext } from '@trailguard/db';
import { shouldAutoDisable, type RetryDecision } from './retry-policy';
import type { DeliveryOutcome } from './delivery-attempts';

export interface OutcomePlan {
  outcome: DeliveryOutcome;
  status: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt: Date | null;
  disableReason?: string;
}

/**
 * The delivery's next state from the retry decision and the endpoint's failure run: a 410
 * disables the endpoint; so does a failure once the endpoint has failed without a success for
 * days (shouldAutoDisable), which also ends this delivery's series.
 */
export function planOutcome(
  ctx: Pick<AttemptContext, 'endpointEnabled' | 'failingSince'>,
  decision: RetryDecision,
  now: Date,
): OutcomePlan {
  switch (decision.action) {
    case 'succeeded':
      return { outcome: 'succeeded', status: 'succeeded', nextAttemptAt: null };
    case 'disable_endpoint':
      return { outcome: 'endpoint_disabled', status: 'failed', nextAttemptAt: null, disableReason: 'gone: the receiver answered 410 Gone' };
    case 'failed':
    case 'retry': {
      const failingSince = ctx.failingSince ?? now;
      if (ctx.endpointEnabled && shouldAutoDisable({ firstFailureAt: failingSince, lastSuccessAt: null, now })) {
        const disableReason = `auto-disabled: failing since ${failingSince.toISOString()} without a success`;
        return { outcome: 'endpoint_disabled', status: 'failed', nextAttemptAt: null, disableReason };
      }
      return decision.action === 'retry'
        ? { outcome: 'retry', status: 'pending', nextAttemptAt: decision.at }
        : { outcome: 'failed', status: 'failed', nextAttemptAt: null };
    }
  }
}
