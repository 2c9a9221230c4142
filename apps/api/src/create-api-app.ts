import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { quietStartup } from '@trailguard/runtime';
import { AppModule } from './app.module';
import { httpMetrics } from './common/http-metrics';
import type { Runtime } from './common/runtime';
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
  // Bodies are read after authentication, by BodyAfterAuthInterceptor (app.module.ts).
  mountQueueDashboard(app, runtime.adminToken);

  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}
