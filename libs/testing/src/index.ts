export * from './aws-sim';
