import { Module } from '@nestjs/common';
import { AwsAccountsController } from './aws-accounts.controller';
import { AwsAccountsService } from './aws-accounts.service';
import { jobQueueProvider, JobQueueLifecycle } from './job-queue.provider';

@Module({
  controllers: [AwsAccountsController],
  providers: [AwsAccountsService, jobQueueProvider, JobQueueLifecycle],
  exports: [AwsAccountsService, jobQueueProvider],
})
export class AwsAccountsModule {}
