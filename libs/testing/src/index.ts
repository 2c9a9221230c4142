export * from './aws-sim';
export { sharedPath } from './shared-dir';
