import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { json, type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import { quietStartup } from '@trailguard/runtime';
import { AppModule } from './app.module';
import { bodyErrorHandler } from './common/error.filter';
import { httpMetrics } from './common/http-metrics';
import { refuseDeepJson } from './common/json-depth';
import type { Runtime } from './common/runtime';
import { isUploadRoute } from './modules/ingest/raw-body.middleware';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { mountQueueDashboard } from './modules/queue-dashboard/queue-dashboard';

/** Builds the HTTP API (not yet listening): used by main, the all-in-one server and the tests. */
export async function createApiApp(runtime: Runtime): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(quietStartup(app.get(Logger)));
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(httpMetrics);
  const jsonBody = json({ limit: runtime.config.MAX_BODY_BYTES, type: ['application/json', 'application/*+json'], verify: refuseDeepJson });
  // Uploads are read once, from their bytes, by the upload route's own reader (parse once).
  app.use((req: Request, res: Response, next: NextFunction) => (isUploadRoute(req) ? next() : jsonBody(req, res, next)));
  app.use(bodyErrorHandler);
  mountQueueDashboard(app, runtime.adminToken);

  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}
