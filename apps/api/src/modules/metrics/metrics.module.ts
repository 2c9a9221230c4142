import { Module } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { MetricsController } from './metrics.controller';

// Process metrics once per process, whatever number of apps it builds (tests build several).
if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();

@Module({ controllers: [MetricsController] })
export class MetricsModule {}
