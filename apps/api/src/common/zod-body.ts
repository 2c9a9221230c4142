import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainError } from './domain-error';

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new DomainError(
    'validation_failed',
    `${where} is invalid: ${result.error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`).join('; ')}`,
    result.error.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message, code: i.code })),
  );
}

// Nest treats a decorator argument with a `transform` method as a pipe, and zod schemas have
// one: so the schema travels wrapped in an object.
type Wrapped = { schema: z.ZodType };

const zodBody = createParamDecorator(({ schema }: Wrapped, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new DomainError(
      'unsupported_media_type',
      `send the body as application/json, not ${req.headers['content-type'] ?? 'no content type'}`,
    );
  }
  return parseWith(schema, req.body, 'body');
});

const zodQuery = createParamDecorator(({ schema }: Wrapped, ctx: ExecutionContext) =>
  parseWith(schema, ctx.switchToHttp().getRequest<Request>().query, 'query'),
);

/** `@ZodBody(schema)`: the JSON body parsed and validated, unknown fields refused. */
export const ZodBody = (schema: z.ZodType) => zodBody({ schema });
/** `@ZodQuery(schema)`: query parameters parsed and validated, and declared in the OpenAPI document. */
export const ZodQuery =
  (schema: z.ZodType): ParameterDecorator =>
  (target, key, index) => {
    zodQuery({ schema })(target, key, index);
    const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (descriptor) documentQuery(schema, target, key!, descriptor);
  };

/** One OpenAPI query parameter per field of the (object) schema, from the same zod schema. */
function documentQuery(schema: z.ZodType, target: object, key: string | symbol, descriptor: PropertyDescriptor): void {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as {
    properties?: Record<string, { description?: string } & Record<string, unknown>>;
    required?: string[];
  };
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    const { description, ...fieldSchema } = property;
    ApiQuery({ name, required: json.required?.includes(name) ?? false, schema: fieldSchema, ...(description ? { description } : {}) })(
      target,
      key,
      descriptor,
    );
  }
}

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(500).optional(),
});
