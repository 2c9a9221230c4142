import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../../common/domain-error';
import { parseWith } from '../../common/zod-body';
import { ruleYamlBody } from './rules.dto';

export interface RuleInput {
  yaml: string;
  enabled?: boolean;
}

/** A rule from either `application/yaml` (the raw Sigma text) or JSON `{ yaml, enabled }`. */
export const RuleBody = createParamDecorator((_: unknown, ctx: ExecutionContext): RuleInput => {
  const req = ctx.switchToHttp().getRequest<Request>();
  // Raw YAML passes the same schema as JSON, so one size cap holds whatever the content type.
  if (typeof req.body === 'string') return parseWith(ruleYamlBody, { yaml: req.body }, 'body');
  if (req.is('application/json')) return parseWith(ruleYamlBody, req.body, 'body');
  throw new DomainError('unsupported_media_type', 'send the rule as application/yaml, or as JSON { "yaml": "..." }');
});
