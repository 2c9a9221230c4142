import { tenantKey, type RedisClient } from '@trailguard/queues';
import { AllowlistRepository, Database, RulesRepository, type AllowlistEntry, type TenantId } from '@trailguard/db';
import { loadBuiltinRules, parseSigma, type CorrelationStore, type SigmaDocument, type SigmaFilter } from '@trailguard/sigma';
import type { Severity } from './finding-key';
import { buildTenantRuleSet, type TenantRuleSet } from './tenant-rule-set';

export interface LoadedTenantRules extends TenantRuleSet {
  allowlist: AllowlistEntry[];
  customIds: ReadonlySet<string>;
  /** The tenant's stored filters, enabled or not (disabled ones are not compiled in). */
  filters: readonly SigmaFilter[];
  /** The tenant's stored rules, correlations and filters as parsed (for validation and dry runs). */
  customDocuments: readonly SigmaDocument[];
}

interface CacheEntry {
  version: string;
  validUntil: number;
  loaded: LoadedTenantRules;
}

let builtinDocs: SigmaDocument[] | undefined;
/** The shipped library, parsed once per process. */
export function builtinRules(): SigmaDocument[] {
  builtinDocs ??= loadBuiltinRules();
  return builtinDocs;
}

export function rulesVersionKey(tenantId: string): string {
  return tenantKey(tenantId, 'rules-version');
}

/**
 * Each tenant's compiled rules, cached per process until the tenant changes its rules, settings
 * or allowlist (a version counter in Redis, bumped by the API) or an allowlist entry expires.
 */
export class TenantRulesLoader {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly rules = new RulesRepository();
  private readonly allowlist = new AllowlistRepository();

  constructor(
    private readonly db: Database,
    private readonly redis: RedisClient,
    private readonly correlationStoreFor?: (tenantId: string) => CorrelationStore,
  ) {}

  static async bump(redis: RedisClient, tenantId: string): Promise<void> {
    await redis.incr(rulesVersionKey(tenantId));
  }

  async get(tenantId: TenantId): Promise<LoadedTenantRules> {
    const version = (await this.redis.get(rulesVersionKey(tenantId))) ?? '0';
    const hit = this.cache.get(tenantId);
    if (hit && hit.version === version && hit.validUntil > Date.now()) return hit.loaded;
    const now = new Date();
    const { custom, settings, allowlist } = await this.db.forTenant(tenantId, async (scope) => ({
      custom: await this.rules.listCustom(scope),
      settings: await this.rules.listSettings(scope),
      allowlist: await this.allowlist.live(scope, now),
    }));
    const customDocs = custom.flatMap((r) => parseSigma(r.yaml, `custom:${r.ruleId}`));
    const settingMap = new Map(
      settings.map((s) => [s.ruleId, { enabled: s.enabled, levelOverride: s.levelOverride as Severity | null, alerting: s.alerting }]),
    );
    const filters = customDocs.filter((d): d is SigmaFilter => d.kind === 'filter');
    // A disabled filter is not applied; a disabled rule stays compiled (see buildTenantRuleSet).
    const active = customDocs.filter((d) => d.kind !== 'filter' || settingMap.get(d.id ?? '')?.enabled !== false);
    const built = buildTenantRuleSet({
      builtin: builtinRules(),
      custom: active,
      settings: settingMap,
      administrators: allowlist.map((e) => e.principalPattern),
      ...(this.correlationStoreFor ? { correlationStore: this.correlationStoreFor(tenantId) } : {}),
    });
    const expiries = allowlist.map((e) => e.expiresAt?.getTime()).filter((t): t is number => t !== undefined);
    const loaded: LoadedTenantRules = {
      ...built,
      allowlist,
      customIds: new Set(custom.map((c) => c.ruleId)),
      filters,
      customDocuments: customDocs,
    };
    this.cache.set(tenantId, { version, validUntil: Math.min(Date.now() + 60_000, ...expiries), loaded });
    return loaded;
  }
}
