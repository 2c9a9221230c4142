import { Module } from '@nestjs/common';
import { AwsAccountsController } from './aws-accounts.controller';
import { AwsAccountsService } from './aws-accounts.service';
import { TrailBaselineService } from './trail-baseline.service';

@Module({
  controllers: [AwsAccountsController],
  providers: [AwsAccountsService, TrailBaselineService],
  exports: [AwsAccountsService],
})
export class AwsAccountsModule {}
