import { Module } from '@nestjs/common';
import { WebhookInfra } from './webhook-infra';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({ controllers: [WebhooksController], providers: [WebhookInfra, WebhooksService], exports: [WebhooksService] })
export class WebhooksModule {}
