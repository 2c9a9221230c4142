import type { CorrelationType, SigmaCorrelation, SigmaRule } from './sigma.types';
import { withAttackAliases } from './tags';

export interface RuleInfo {
  id: string;
  title: string;
  level: string;
  status?: string;
  tags: string[];
  author?: string;
  references?: string[];
  description?: string;
  kind: 'rule' | 'correlation';
  /** The rule's `name`, when it has one (correlations and filters may refer to it). */
  name?: string;
  source?: string;
}

export interface RuleMatch {
  ruleId: string;
  ruleTitle: string;
  level: string;
  tags: string[];
  /** false when the rule is only an input of a correlation without `generate: true` */
  report: boolean;
  /** Shown with the match: the Detection Rule License requires the author's attribution. */
  author?: string;
}

export interface CorrelationAlert {
  ruleId: string;
  ruleTitle: string;
  level: string;
  tags: string[];
  type: CorrelationType;
  group: Record<string, unknown>;
  /** The events of the base-rule matches that make up the alert, oldest first. */
  eventIds: string[];
  author?: string;
}

/** Rules without an id are known by their name, else by source and title. */
export function documentKey(doc: { id?: string; name?: string; title: string; source?: string }): string {
  return doc.id ?? doc.name ?? `${doc.source ?? 'inline'}#${doc.title}`;
}

export function ruleInfo(doc: SigmaRule | SigmaCorrelation): RuleInfo {
  const info: RuleInfo = {
    id: documentKey(doc),
    title: doc.title,
    level: doc.level ?? 'medium',
    tags: withAttackAliases(doc.tags),
    references: [...doc.references],
    kind: doc.kind,
  };
  if (doc.status !== undefined) info.status = doc.status;
  if (doc.author !== undefined) info.author = doc.author;
  if (doc.description !== undefined) info.description = doc.description;
  if (doc.name !== undefined) info.name = doc.name;
  if (doc.source !== undefined) info.source = doc.source;
  return info;
}
