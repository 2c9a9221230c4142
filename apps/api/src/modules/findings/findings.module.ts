import { Module } from '@nestjs/common';
import { RulesModule } from '../rules/rules.module';
import { FindingsController } from './findings.controller';
import { FindingsService } from './findings.service';

@Module({ imports: [RulesModule], controllers: [FindingsController], providers: [FindingsService] })
export class FindingsModule {}
