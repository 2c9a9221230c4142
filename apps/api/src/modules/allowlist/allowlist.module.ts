import { Module } from '@nestjs/common';
import { RulesModule } from '../rules/rules.module';
import { AllowlistController } from './allowlist.controller';
import { AllowlistService } from './allowlist.service';

@Module({ imports: [RulesModule], controllers: [AllowlistController], providers: [AllowlistService] })
export class AllowlistModule {}
