import type { WebhookEventType } from './webhook-payload';

export interface SlackMessageInput {
  type: WebhookEventType;
  title: string;
  severity?: string;
  summary?: string;
  /** Where a person can look at it (e.g. the finding in the console). */
  link?: string;
  fields?: Record<string, string>;
}

const EVENT_LABEL: Record<WebhookEventType, string> = {
  'finding.created': 'New finding',
  'finding.updated': 'Finding updated',
  'account.status_changed': 'Account status changed',
  'posture.changed': 'Trail posture changed',
};

// Slack mrkdwn treats these three as control characters; everything else is literal.
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A Slack incoming-webhook body (Block Kit) for one event, as the exact JSON string to send.
 * Slack does not verify Standard Webhooks signatures; this is a convenience format only.
 */
export function toSlackMessage(input: SlackMessageInput): string {
  const label = EVENT_LABEL[input.type];
  const severity = input.severity ? ` [${input.severity.toUpperCase()}]` : '';
  const headline = `${label}${severity}: ${input.title}`;
  const lines = [`*${escapeMrkdwn(headline)}*`];
  if (input.summary) lines.push(escapeMrkdwn(input.summary));
  if (input.link && /^https?:\/\//.test(input.link) && !/[|<>]/.test(input.link)) {
    lines.push(`<${input.link}|Open in Trailguard>`);
  }
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }];
  const fields = Object.entries(input.fields ?? {}).slice(0, 10); // Slack allows 10 fields a section
  if (fields.length > 0) {
    blocks.push({
      type: 'section',
      fields: fields.map(([k, v]) => ({ type: 'mrkdwn', text: `*${escapeMrkdwn(k)}*\n${escapeMrkdwn(v)}` })),
    });
  }
  return JSON.stringify({ text: escapeMrkdwn(headline), blocks });
}
