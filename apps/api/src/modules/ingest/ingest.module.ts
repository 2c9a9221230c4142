import { Module } from '@nestjs/common';
import { AwsAccountsModule } from '../aws-accounts/aws-accounts.module';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

/** Uploads and EventBridge pushes: records straight to the detection queue. */
@Module({ imports: [AwsAccountsModule], controllers: [IngestController], providers: [IngestService] })
// Raw upload bodies are read by BodyAfterAuthInterceptor (common/), after authentication.
export class IngestModule {}
