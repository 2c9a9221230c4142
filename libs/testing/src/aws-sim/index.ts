export { AwsSimulator, AWS_SDK_ENV_VARS, READ_ONLY_TRAIL_PERMISSIONS, maxInAnyWindow } from './aws-simulator';
export type { AwsSimulatorOptions, CustomerAccountInput, RequestLogFilter, SimTrailView } from './aws-simulator';
export type { LongTermKeys, TrailInput } from './sim-store';
export type { CloudTrailRecord, RequestLogEntry, SimService } from './sim-types';
export { makeCloudTrailRecord } from './record-factory';
