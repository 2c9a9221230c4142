import { Inject, Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { RUNTIME, type Runtime } from '../../common/runtime';
import { AwsAccountsModule } from '../aws-accounts/aws-accounts.module';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { rawUploadBody } from './raw-body.middleware';

/** Uploads and EventBridge pushes: records straight to the detection queue. */
@Module({ imports: [AwsAccountsModule], controllers: [IngestController], providers: [IngestService] })
export class IngestModule implements NestModule {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(rawUploadBody(this.runtime.config.MAX_BODY_BYTES)).forRoutes({ path: 'v1/aws-accounts/:id/events', method: RequestMethod.POST });
  }
}
