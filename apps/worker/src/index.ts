export { startWorkers } from './create-worker';
export type { WorkerRuntime } from './worker-runtime';
export { MaintenanceRetentionProcessor, type RetentionOutcome } from './processors/maintenance-retention.processor';
export { DetectionService } from './detection/detection.service';
export { serveWorkerHealth } from './worker-health';
