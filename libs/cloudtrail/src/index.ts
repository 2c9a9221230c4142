export type {
  CloudTrailRecord,
  CloudTrailLogFile,
  CloudTrailResource,
  SessionContext,
  SessionIssuer,
  UserIdentity,
  UserIdentityType,
} from './cloudtrail-record.types';
export { OCSF_FIELD_ALIASES } from './ocsf-field-aliases';
export { actorOf, type Actor } from './actor';
export { MAX_RECORD_DEPTH, recordTooDeep } from './record-depth';
export { isEventBridgeEnvelope, unwrapEventBridge, type EventBridgeEnvelope } from './eventbridge';
export { CloudTrailReadError, type ReadErrorCode } from './readers/read-errors';
export {
  formatPosition,
  type MalformedCode,
  type MalformedRecord,
  type ReadOptions,
  type RecordBatch,
  type RecordPosition,
} from './readers/record-batch.types';
export { classifyRecord, type Classified } from './readers/record-classifier';
export { isGzipMagic } from './readers/gzip';
export { parseRecordChunks } from './readers/text-records.reader';
export { listInputFiles, readBuffer, readFile, readPath, readPaths, readStream } from './readers/record-readers';
