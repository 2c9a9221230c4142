import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '@trailguard/queues';
import { Database, RulesRepository, type TenantId } from '@trailguard/db';
import {
  builtinRules,
  compileCloudTrailRuleSet,
  isAlertingRule,
  serverPlaceholders,
  severityOf,
  TenantRulesLoader,
  type LoadedTenantRules,
  type Severity,
} from '@trailguard/detection';
import {
  BUILTIN_RULES_DIR,
  InMemoryCorrelationStore,
  parseSigma,
  type RuleInfo,
  type RuleSet,
  type SigmaDocument,
  type SigmaFilter,
  type SigmaPosition,
} from '@trailguard/sigma';
import { DomainError, notFound } from '../../common/domain-error';
import { REDIS } from '../../common/redis.provider';
import type { RuleInput } from './rule-body.decorator';
import type { ListRulesQuery, PatchRuleBody, TestRuleBody } from './rules.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class RulesService {
  private readonly rules = new RulesRepository();

  constructor(
    private readonly db: Database,
    private readonly loader: TenantRulesLoader,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  async list(tenantId: TenantId, q: ListRulesQuery) {
    const views = await this.views(tenantId);
    const filtered = views
      .filter((v) => (q.source ? v.source === q.source : true))
      .filter((v) => (q.enabled ? String(v.enabled) === q.enabled : true))
      .filter((v) => (q.alerting ? String(v.alerting) === q.alerting : true))
      .sort((a, b) => a.id.localeCompare(b.id));
    const after = q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : '';
    const rest = filtered.filter((v) => v.id > after);
    const data = rest.slice(0, q.limit);
    const last = data[data.length - 1];
    return { data, nextCursor: rest.length > q.limit && last ? Buffer.from(last.id).toString('base64url') : null };
  }

  async get(tenantId: TenantId, id: string) {
    const view = (await this.views(tenantId)).find((v) => v.id === id);
    if (!view) throw notFound('rule', id);
    return { ...view, yaml: await this.yamlOf(tenantId, view) };
  }

  async create(tenantId: TenantId, input: RuleInput, createdBy: string) {
    const doc = this.parseOne(input.yaml);
    const loaded = await this.loader.get(tenantId);
    if (loaded.rules.some((r) => r.id === doc.id) || loaded.customIds.has(doc.id)) {
      throw new DomainError('rule_exists', `a rule with id ${doc.id} already exists; use PUT /v1/rules/${doc.id} to replace a custom rule`);
    }
    await this.checkCompiles(tenantId, doc);
    await this.db.forTenant(tenantId, async (scope) => {
      await this.rules.createCustom(scope, {
        ruleId: doc.id,
        kind: kindOf(doc),
        title: doc.title,
        level: levelOf(doc),
        yaml: input.yaml,
        createdBy,
      });
      if (input.enabled === false) await this.rules.upsertSetting(scope, doc.id!, { enabled: false });
    });
    await TenantRulesLoader.bump(this.redis, tenantId);
    return this.get(tenantId, doc.id!);
  }

  async replace(tenantId: TenantId, id: string, input: RuleInput) {
    const doc = this.parseOne(input.yaml);
    if (doc.id !== id) throw new DomainError('id_mismatch', `the YAML's id (${doc.id}) differs from the path (${id})`);
    const existing = await this.db.forTenant(tenantId, (scope) => this.rules.getCustom(scope, id));
    if (!existing) {
      if (builtinRules().some((d) => d.id === id)) throw builtinReadOnly(id);
      throw notFound('rule', id);
    }
    await this.checkCompiles(tenantId, doc);
    await this.db.forTenant(tenantId, async (scope) => {
      await this.rules.updateCustom(scope, id, { kind: kindOf(doc), title: doc.title, level: levelOf(doc), yaml: input.yaml });
      if (input.enabled !== undefined) await this.rules.upsertSetting(scope, id, { enabled: input.enabled });
    });
    await TenantRulesLoader.bump(this.redis, tenantId);
    return this.get(tenantId, id);
  }

  async patch(tenantId: TenantId, id: string, body: PatchRuleBody) {
    await this.get(tenantId, id);
    await this.db.forTenant(tenantId, (scope) =>
      this.rules.upsertSetting(scope, id, {
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(body.level !== undefined ? { levelOverride: body.level } : {}),
        ...(body.alerting !== undefined ? { alerting: body.alerting } : {}),
      }),
    );
    await TenantRulesLoader.bump(this.redis, tenantId);
    return this.get(tenantId, id);
  }

  async remove(tenantId: TenantId, id: string) {
    const deleted = await this.db.forTenant(tenantId, (scope) => this.rules.deleteCustom(scope, id));
    if (!deleted) {
      if (builtinRules().some((d) => d.id === id)) throw builtinReadOnly(id);
      throw notFound('rule', id);
    }
    await TenantRulesLoader.bump(this.redis, tenantId);
    return { id, deleted: true };
  }

  /**
   * Runs a rule or a filter (given as YAML, or stored, by id) over sample events, compiled the way the
   * worker compiles it: the tenant's stored filters apply to a tested rule they name, and a tested
   * filter runs on the built-in and tenant rules it names (whose matches it narrows).
   */
  async test(tenantId: TenantId, body: TestRuleBody) {
    let docs: SigmaDocument[];
    if (body.yaml !== undefined) {
      docs = this.parse(body.yaml);
    } else {
      const rule = await this.get(tenantId, body.ruleId!);
      docs = this.parse(rule.yaml);
    }
    const loaded = await this.loader.get(tenantId);
    const tested = new Set(docs.map((d) => d.id).filter((id): id is string => id !== undefined));
    const storedFilters = loaded.filters.filter((f) => !tested.has(f.id ?? '') && loaded.isEnabled(f.id ?? ''));
    const testedFilters = docs.filter((d): d is SigmaFilter => d.kind === 'filter');
    const onlyFilters = testedFilters.length === docs.length && docs.length > 0;
    const documents = onlyFilters ? [...builtinRules(), ...loaded.customDocuments.filter((d) => d.kind !== 'filter'), ...docs] : docs;
    // A SigmaError escapes to the exception filter, which answers invalid_rule with its position.
    const ruleSet = compileCloudTrailRuleSet({
      documents,
      filters: storedFilters,
      placeholders: serverPlaceholders(loaded.allowlist.map((e) => e.principalPattern)),
      correlationStore: new InMemoryCorrelationStore(),
    });
    // A tested filter reports the rules it names; stored filters naming rules outside a tested rule's
    // set are not news.
    const named = new Set(testedFilters.flatMap((f) => f.rules));
    const reports = (m: { ruleId: string }): boolean => !onlyFilters || named.has(m.ruleId) || ruleSetNames(ruleSet, m.ruleId, named);
    const matches: Array<Record<string, unknown>> = [];
    for (const [index, event] of body.events.entries()) {
      const found = ruleSet.match(event);
      for (const m of found.filter((x) => x.report && reports(x))) {
        matches.push({ index, eventId: event.eventID ?? null, ruleId: m.ruleId, ruleTitle: m.ruleTitle, level: m.level });
      }
      if (ruleSet.hasCorrelations && found.length > 0 && !onlyFilters) {
        for (const a of await ruleSet.correlate(event, found)) {
          matches.push({
            index,
            ruleId: a.ruleId,
            ruleTitle: a.ruleTitle,
            level: a.level,
            type: a.type,
            group: a.group,
            eventIds: a.eventIds,
          });
        }
      }
    }
    const warnings = onlyFilters ? ruleSet.warnings.filter((w) => testedFilters.some((f) => w.startsWith(`filter "${f.title}"`))) : [];
    return { evaluated: body.events.length, matched: matches.length, matches, ...(onlyFilters ? { warnings } : {}) };
  }

  private parse(yaml: string): SigmaDocument[] {
    return parseSigma(yaml, 'request');
  }

  private parseOne(yaml: string): SigmaDocument & { id: string } {
    const docs = this.parse(yaml);
    const doc = docs[0];
    // Every rejection names a place in the text, like the engine's own: the extra document, or
    // the start of the one at fault (line 1 when there is no document at all).
    const at = (pos: SigmaPosition | undefined, reason: string, extra: object = {}) => ({
      reason,
      line: pos?.line ?? 1,
      column: pos?.column ?? 1,
      ...extra,
    });
    if (docs.length !== 1 || !doc) {
      throw new DomainError('invalid_rule', `a custom rule is one YAML document; got ${docs.length}`, at(docs[1]?.pos, 'document_count'));
    }
    if (!doc.id || !UUID.test(doc.id)) {
      throw new DomainError(
        'invalid_rule',
        `a custom ${doc.kind} needs an \`id\` that is a UUID`,
        at(doc.pos, 'invalid_id', { field: 'id' }),
      );
    }
    return doc as SigmaDocument & { id: string };
  }

  /**
   * A new rule or filter must compile together with the tenant's others (a correlation or a filter
   * may name them), as the worker will compile it: OCSF names, and `%Administrators%` the only
   * placeholder.
   */
  private async checkCompiles(tenantId: TenantId, doc: SigmaDocument): Promise<void> {
    const loaded = await this.loader.get(tenantId);
    const others = loaded.customDocuments.filter((d) => d.id !== doc.id);
    compileCloudTrailRuleSet({
      documents: [...builtinRules(), ...others, doc],
      placeholders: serverPlaceholders(loaded.allowlist.map((e) => e.principalPattern)),
    });
  }

  private async views(tenantId: TenantId) {
    const loaded = await this.loader.get(tenantId);
    return [
      ...loaded.rules.map((r) => ({
        ...view(r, loaded.customIds.has(r.id), loaded.isEnabled(r.id), loaded.levelOverride(r.id)),
        // Enabled-but-quiet rules make findings that are never sent as webhooks.
        alerting: loaded.isAlerting(r.id) as boolean | null,
        alertingByDefault: isAlertingRule(r.id, null) as boolean | null,
      })),
      // A filter makes no findings: nothing to alert on.
      ...loaded.filters.map((f) => ({ ...filterView(f, loaded), alerting: null, alertingByDefault: null })),
    ];
  }

  private async yamlOf(tenantId: TenantId, v: { id: string; source: 'custom' | 'builtin'; file: string | undefined }): Promise<string> {
    if (v.source === 'custom') {
      const row = await this.db.forTenant(tenantId, (scope) => this.rules.getCustom(scope, v.id));
      return row?.yaml ?? '';
    }
    return v.file ? readFileSync(join(BUILTIN_RULES_DIR, v.file), 'utf8') : '';
  }
}

function view(r: RuleInfo, custom: boolean, enabled: boolean, override: Severity | null) {
  return {
    id: r.id,
    title: r.title,
    kind: r.kind,
    source: custom ? ('custom' as const) : ('builtin' as const),
    file: custom ? undefined : r.source,
    level: r.level,
    severity: severityOf(r.level, override),
    levelOverride: override,
    enabled,
    status: r.status ?? null,
    tags: r.tags,
    author: r.author ?? null,
    description: r.description ?? null,
    references: r.references ?? [],
  };
}

/** A stored filter listed beside the rules: no level of its own, and the rules it names. */
function filterView(f: SigmaFilter, loaded: LoadedTenantRules) {
  const id = f.id ?? f.title;
  return {
    id,
    title: f.title,
    kind: 'filter' as const,
    source: 'custom' as const,
    file: undefined,
    level: null,
    severity: null,
    levelOverride: null,
    enabled: loaded.isEnabled(id),
    status: null,
    tags: [] as string[],
    author: f.author ?? null,
    description: f.description ?? null,
    references: [] as string[],
    rules: [...f.rules],
    logsource: f.logsource,
  };
}

const kindOf = (doc: SigmaDocument): 'rule' | 'filter' => (doc.kind === 'filter' ? 'filter' : 'rule');
const levelOf = (doc: SigmaDocument): string | null => (doc.kind === 'filter' ? null : (doc.level ?? null));

/** Whether `ruleId` is known in the set by a name the filters use. */
function ruleSetNames(ruleSet: RuleSet, ruleId: string, names: ReadonlySet<string>): boolean {
  const info = ruleSet.rules.find((r) => r.id === ruleId);
  return info?.name !== undefined && names.has(info.name);
}

function builtinReadOnly(id: string): DomainError {
  return new DomainError(
    'builtin_rule',
    `rule ${id} is built in: disable it or override its level with PATCH; it cannot be replaced or deleted`,
  );
}
