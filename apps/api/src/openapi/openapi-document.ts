import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { OPERATIONS, type Access } from './operations';
import { components, errorEnvelope } from './response-schemas';

type Json = Record<string, unknown>;
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const idOf = (schema: z.ZodType): string => {
  const id = components.get(schema)?.id;
  if (!id) throw new Error('response schemas must be registered in the components registry');
  return id;
};

/** The error responses an operation can answer, each with the envelope and an example. */
function errorResponses(op: Json, path: string, access: Access): Json {
  const errors: Array<[number, string, string, string]> = [];
  const takesInput = op.requestBody !== undefined || ((op.parameters as Json[] | undefined) ?? []).some((p) => p.in === 'query');
  if (takesInput) errors.push([400, 'validation_failed', 'body.name: Required', 'Invalid input']);
  if (access !== 'public') errors.push([401, 'unauthorized', 'missing or invalid credentials', 'Missing or invalid credentials']);
  if (access === 'bearer') errors.push([403, 'forbidden', 'this API key role cannot do that', "The API key's role is not allowed"]);
  if (path.includes('{'))
    errors.push([404, 'not_found', 'finding 98e9d34a-4829-4fbb-89e6-dddae49c5946 not found', 'No such resource for this tenant']);
  if (op.requestBody !== undefined) errors.push([413, 'payload_too_large', 'the body is larger than MAX_BODY_BYTES', 'Body too large']);
  if (access === 'bearer')
    errors.push([429, 'rate_limited', 'too many requests for this tenant; retry after the Retry-After header', 'Rate limited']);
  errors.push([500, 'internal', 'internal error', 'Unexpected error (its id is in the server log)']);
  return Object.fromEntries(
    errors.map(([status, code, message, description]) => [
      String(status),
      { description, content: { 'application/json': { schema: ref('ErrorEnvelope'), example: { error: { code, message } } } } },
    ]),
  );
}

const SECURITY: Record<Access, Json[]> = {
  bearer: [{ bearer: [] }],
  operator: [{ operator: [] }],
  ingest: [{ ingestToken: [] }, { bearer: [] }],
  public: [],
};

/** Drops JSON Schema keywords that have no place in an OpenAPI 3.0 document. */
function stripJsonSchemaKeywords(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(stripJsonSchemaKeywords);
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  delete o.$schema;
  delete o.$id;
  for (const v of Object.values(o)) stripJsonSchemaKeywords(v);
}

/**
 * Completes what Nest's scanner produces: response schemas and examples from OPERATIONS, the
 * error envelope on every operation, `{path}` parameters, security per operation, and no JSON
 * Schema 2020-12 leftovers. An operation missing from OPERATIONS gets no response schema (the test says so).
 */
export function completeDocument(doc: OpenAPIObject): OpenAPIObject {
  const generated = z.toJSONSchema(components, { target: 'openapi-3.0', io: 'output', uri: (id) => `#/components/schemas/${id}` });
  const schemas = { ...(doc.components?.schemas ?? {}), ...(generated.schemas as NonNullable<OpenAPIObject['components']>['schemas']) };
  doc.components = { ...doc.components, schemas };
  doc.components.securitySchemes = {
    bearer: { type: 'http', scheme: 'bearer', description: 'API key (`tg_...`), an opaque token: `Authorization: Bearer tg_...`' },
    operator: { type: 'apiKey', in: 'header', name: 'X-Admin-Token', description: 'the operator token (ADMIN_TOKEN)' },
    ingestToken: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Ingest-Token',
      description: "an AWS account's ingest token (`tgi_...`), also accepted as Bearer",
    },
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [, op] of Object.entries(item as Record<string, Json>)) {
      const id = op.operationId as string;
      // A route not yet in OPERATIONS keeps its parameters and errors, without a response schema:
      // test/openapi.e2e-spec.ts names it (the document stays served meanwhile).
      const spec = OPERATIONS[id] ?? { schema: null, example: undefined };
      const access = spec.access ?? 'bearer';
      op.security = SECURITY[access];
      // Credentials are the security schemes' business, not parameters (a client sets them once).
      op.parameters = ((op.parameters as Json[] | undefined) ?? []).filter(
        (p) => !(p.in === 'header' && /^(x-admin-token|authorization|x-ingest-token)$/i.test(p.name as string)),
      );
      const declared = new Set(((op.parameters as Json[] | undefined) ?? []).filter((p) => p.in === 'path').map((p) => p.name as string));
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((name) => !declared.has(name));
      op.parameters = [
        ...pathParams.map((name) => ({
          name,
          in: 'path',
          required: true,
          schema: { type: 'string', format: 'uuid' },
          example: name === 'deliveryId' ? 'c6aba029-3ced-4919-9833-343c5463a263' : '98e9d34a-4829-4fbb-89e6-dddae49c5946',
        })),
        ...((op.parameters as Json[] | undefined) ?? []),
      ];
      const responses = op.responses as Record<string, Json>;
      const status = Object.keys(responses).find((s) => s.startsWith('2')) ?? '200';
      const description = (responses[status]?.description as string) || (op.summary as string) || 'Success';
      const success: Json = { description };
      if (spec.contentType) success.content = { [spec.contentType]: { schema: { type: 'string' }, example: spec.example } };
      else if (spec.schema) success.content = { 'application/json': { schema: ref(idOf(spec.schema)), example: spec.example } };
      op.responses = { [status]: success, ...errorResponses(op, path, access) };
      if (status === '202' && id === 'IngestController_upload') {
        (op.responses as Json)['415'] = {
          description: 'Unsupported content type',
          content: {
            'application/json': {
              schema: ref('ErrorEnvelope'),
              example: {
                error: { code: 'unsupported_media_type', message: 'send application/json, application/x-ndjson or application/gzip' },
              },
            },
          },
        };
      }
    }
  }
  stripJsonSchemaKeywords(doc);
  return doc;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Trailguard API')
    .setDescription('Multi-tenant detection backend for AWS CloudTrail. Errors: { "error": { "code", "message", "details" } }.')
    .setVersion('1')
    .build();
  void errorEnvelope; // registered with the components
  return completeDocument(SwaggerModule.createDocument(app, config));
}
