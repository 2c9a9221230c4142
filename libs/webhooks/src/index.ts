export * from './webhooks.errors';
export { generateWebhookSecret, decodeWebhookSecret, WEBHOOK_SECRET_PREFIX } from './webhook-secret';
export { SecretBox, decodeEncryptionKey, type SecretBoxKey, type SecretBoxOptions } from './secret-box';
export {
  signPayload,
  computeSignature,
  generateMessageId,
  toUnixSeconds,
  type SignPayloadInput,
  type WebhookHeaders,
} from './webhook-signature';
export { blockedRangeOf } from './ip-policy';
export { checkWebhookUrl, type WebhookTargetPolicy } from './url-policy';
export { SsrfSafeAgent, systemResolver, type HostResolver, type ResolvedAddress, type SsrfSafeAgentOptions } from './ssrf-dispatcher';
export { sendWebhook, USER_AGENT, type DeliveryErrorCode, type SendResult, type SendWebhookInput } from './webhook-sender';
export { parseRetryAfter } from './retry-after';
export {
  DEFAULT_RETRY_SCHEDULE,
  MAX_RETRY_AFTER_SECONDS,
  nextAttempt,
  parseRetrySchedule,
  scheduleSpanSeconds,
  shouldAutoDisable,
  type AutoDisableInput,
  type NextAttemptInput,
  type RetryDecision,
} from './retry-policy';
export { WEBHOOK_EVENT_TYPES, buildWebhookBody, isWebhookEventType, type WebhookEventType } from './webhook-payload';
export { slackBodyFor, toSlackMessage, type SlackMessageInput } from './slack-message';
export { describeEvent, type AlertDescription, type NamedFinding } from './alert-description';
export {
  pagerdutyBodyFor,
  pagerdutyRoutingKey,
  pagerdutyDedupKey,
  PAGERDUTY_ACTION,
  PAGERDUTY_SEVERITY,
  type PagerDutyAction,
  type PagerDutySeverity,
} from './pagerduty-message';
export { teamsBodyFor, teamsMessage, escapeCardText } from './teams-message';
export { bodyVariant, formatBody, testBody, type BodyEvent, type PayloadFormat } from './payload-format';
export { planOutcome, type OutcomePlan } from './outcome-plan';
export { EndpointLimiter } from './endpoint-limiter';
export {
  DeliveryAttempts,
  type AttemptReport,
  type AttemptRequest,
  type DeliveryAttemptsOptions,
  type DeliveryOutcome,
} from './delivery-attempts';
export {
  DELIVER_BATCH_SIZE,
  enqueueDeliver,
  enqueueDeliverBatches,
  requeueDeliver,
  webhookSecretBox,
  type DeliverJobInput,
  type RequeueOutcome,
} from './deliver-jobs';
