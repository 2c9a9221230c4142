/**
 * Built-in rules that ship enabled but not alerting: their findings are stored and listed by the
 * API, never sent as webhooks, unless a tenant turns alerting on (PATCH /v1/rules/:id
 * {"alerting": true}). The choice is measured, not guessed: on the public datasets
 * (the shared datasets' combined/records.ndjson, 1,286 records; `node -r @swc-node/register bench/rule-noise.ts`)
 * the built-in rules matched 583 times, and these are the SigmaHQ rules of level `low` that
 * matched at least 3 times; together 397 matches, 68% of all. Each describes routine activity
 * that its own `falsepositives` says needs a baseline (administrators, automation) before it
 * means anything.
 */
export const QUIET_BY_DEFAULT: ReadonlyMap<string, string> = new Map([
  // 380 matches, 65.2%: every cross-account or service AssumeRole by a user session.
  ['905d389b-b853-46d0-9d3d-dea0d3a3cd49', 'AWS STS AssumeRole Misuse'],
  // 7 matches, 1.2%: any new network ACL entry.
  ['e1f7febb-7b94-4234-b5c6-00fb8500f5dd', 'New Network ACL Entry Added'],
  // 7 matches, 1.2%: bucket lifecycle, replication and logging changes.
  ['78b3756a-7804-4ef7-8555-7b9024a02e2d', 'AWS S3 Data Management Tampering'],
  // 3 matches, 0.5%: GetSessionToken by users (MFA-wrapping CLIs call it all day).
  ['b45ab1d2-712f-4f01-a751-df3826969807', 'AWS STS GetSessionToken Misuse'],
]);

/** A rule's alerting state: the tenant's choice if it made one, else the shipped default. */
export function isAlertingRule(ruleId: string, tenantChoice: boolean | null | undefined): boolean {
  return tenantChoice ?? !QUIET_BY_DEFAULT.has(ruleId);
}
