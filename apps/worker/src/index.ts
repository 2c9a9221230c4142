export { startWorkers } from './create-worker';
export type { WorkerRuntime } from './worker-runtime';
