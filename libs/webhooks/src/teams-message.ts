import { describeEvent, type AlertDescription } from './alert-description';
import type { WebhookEventType } from './webhook-payload';

/** Adaptive Card text colours by severity (Teams renders `attention` red, `warning` amber). */
const COLOUR: Record<string, string> = {
  critical: 'attention',
  high: 'attention',
  medium: 'warning',
  low: 'accent',
  informational: 'default',
};

/**
 * Adaptive Card TextBlocks render a markdown subset: event data (an actor's session name, a rule
 * title) must not become links or emphasis, so markdown's active characters are escaped.
 */
export function escapeCardText(value: string): string {
  // Brackets make links (`[text](url)`), the rest emphasis; parentheses alone are inert.
  return value.replace(/[\\*_[\]~`]/g, (c) => `\\${c}`);
}

function card(d: AlertDescription): unknown {
  const severity = d.severity ? ` [${d.severity.toUpperCase()}]` : '';
  const body: unknown[] = [
    {
      type: 'TextBlock',
      // Our own words as they are; event data escaped.
      text: `${d.label}${severity}: ${escapeCardText(d.title)}`,
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      color: COLOUR[d.severity ?? ''] ?? 'default',
    },
    { type: 'TextBlock', text: escapeCardText(d.summary), wrap: true, spacing: 'Small' },
  ];
  const facts = Object.entries(d.fields).map(([title, value]) => ({ title, value: escapeCardText(value) }));
  if (facts.length > 0) body.push({ type: 'FactSet', facts });
  if (d.findings.length > 1) {
    body.push({ type: 'TextBlock', text: `Findings of this alert (${d.findings.length})`, weight: 'Bolder', wrap: true, separator: true });
    body.push({
      type: 'FactSet',
      facts: d.findings.map((f) => ({
        title: escapeCardText(f.severity.toUpperCase()),
        value: `${escapeCardText(f.title)} (${escapeCardText(f.id)})`,
      })),
    });
  }
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
  };
}

/**
 * A Microsoft Teams message for one domain event, as the exact JSON string to send: one Adaptive
 * Card attachment, the shape both Teams incoming webhooks and the Workflows "post to a channel
 * when a webhook request is received" template accept. Teams does not verify signatures.
 */
export function teamsBodyFor(type: WebhookEventType, data: Record<string, unknown>): string {
  return JSON.stringify(teamsMessage(describeEvent(type, data)));
}

export function teamsMessage(d: AlertDescription): unknown {
  return {
    type: 'message',
    summary: `${d.label}: ${d.title}`,
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card(d) }],
  };
}
