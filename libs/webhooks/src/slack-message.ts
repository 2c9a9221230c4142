import { findingFields, namedFindings, obj, present, text, type NamedFinding } from './alert-description';
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

type Data = Record<string, unknown>;

/** The findings of an alert group as bullet lines (nothing for a lone finding). */
function groupLines(named: NamedFinding[]): string {
  return named.length > 1 ? `\n${named.map((f) => `• [${f.severity.toUpperCase()}] ${f.title}`).join('\n')}` : '';
}

/**
 * The Slack body of a domain event (the data Trailguard's own payload carries), for endpoints
 * whose payload format is `slack`: a Slack incoming webhook URL takes it as is.
 */
export function slackBodyFor(type: WebhookEventType, data: Data): string {
  switch (type) {
    case 'finding.created': {
      // One event that several rules matched: one message naming every finding, highest first.
      const named = namedFindings(data);
      const group = groupLines(named);
      return toSlackMessage({
        type,
        title: `${text(data['ruleTitle']) ?? 'finding'}${named.length > 1 ? ` (+${named.length - 1} more)` : ''}`,
        ...(text(data['severity']) ? { severity: text(data['severity']) } : {}),
        summary: `${text(data['eventCount']) ?? '1'} event(s) by ${text(data['actor']) ?? 'an unknown actor'}${group}`,
        fields: findingFields(data),
      });
    }
    case 'finding.updated': {
      const f = obj(data['finding']);
      const summary =
        data['reason'] === 'status_changed'
          ? `status ${text(data['from']) ?? '?'} → ${text(data['to']) ?? '?'}`
          : `${text(data['added']) ?? 'more'} more event(s), ${text(f['eventCount']) ?? '?'} in all`;
      const named = namedFindings({ ...f, alertGroup: data['alertGroup'] });
      return toSlackMessage({
        type,
        title: `${text(f['ruleTitle']) ?? 'finding'}${named.length > 1 ? ` (+${named.length - 1} more)` : ''}`,
        ...(text(f['severity']) ? { severity: text(f['severity']) } : {}),
        summary: `${summary}${groupLines(named)}`,
        fields: findingFields(f),
      });
    }
    case 'account.status_changed':
      return toSlackMessage({
        type,
        title: text(data['name']) ?? text(data['accountId']) ?? 'AWS account',
        summary: `${text(data['previousStatus']) ?? '?'} → ${text(data['status']) ?? '?'}${text(data['reason']) ? `: ${text(data['reason'])}` : ''}`,
        fields: present([['Account', data['accountId']]]),
      });
    case 'posture.changed':
      return toSlackMessage({
        type,
        title: `AWS account ${text(data['awsAccountId']) ?? text(data['accountId']) ?? '?'}`,
        severity: 'high',
        summary: 'No multi-region CloudTrail trail is logging',
        fields: present([['Finding', data['findingId']]]),
      });
  }
}
