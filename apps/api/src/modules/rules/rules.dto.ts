import { z } from 'zod';

export const severity = z.enum(['informational', 'low', 'medium', 'high', 'critical']);

/** Longest rule text, in characters, however it is sent (JSON or raw YAML). */
export const MAX_RULE_CHARS = 200_000;

/** A rule as JSON; the same rule may be sent as the raw YAML with Content-Type application/yaml. */
export const ruleYamlBody = z.strictObject({
  yaml: z.string().min(1).max(MAX_RULE_CHARS),
  enabled: z.boolean().optional(),
});

export const patchRuleBody = z
  .strictObject({
    enabled: z.boolean().optional(),
    /** null removes the override. */
    level: severity.nullable().optional(),
    /** Whether findings are sent as webhooks; null returns to the rule's shipped default. */
    alerting: z.boolean().nullable().optional(),
  })
  .refine((b) => b.enabled !== undefined || b.level !== undefined || b.alerting !== undefined, 'give enabled, level and/or alerting');

export const listRulesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(500).optional(),
  source: z.enum(['builtin', 'custom']).optional(),
  enabled: z.enum(['true', 'false']).optional(),
  alerting: z.enum(['true', 'false']).optional(),
});

export const testRuleBody = z
  .strictObject({
    yaml: z.string().min(1).max(MAX_RULE_CHARS).optional(),
    ruleId: z.string().min(1).max(200).optional(),
    events: z.array(z.record(z.string(), z.unknown())).min(1).max(1000),
  })
  .refine((b) => (b.yaml === undefined) !== (b.ruleId === undefined), 'give exactly one of yaml or ruleId');

export type PatchRuleBody = z.infer<typeof patchRuleBody>;
export type ListRulesQuery = z.infer<typeof listRulesQuery>;
export type TestRuleBody = z.infer<typeof testRuleBody>;
