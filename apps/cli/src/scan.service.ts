import type { Writable } from 'node:stream';
import {
  CloudTrailReadError,
  readPaths,
  readStream,
  type ReadOptions,
  type MalformedRecord,
  type RecordBatch,
} from '@trailguard/cloudtrail';
import type { RuleSet } from '@trailguard/sigma';
import { createOutput } from './output/create-output';
import type { OutputFormat } from './output/scan-output.types';
import { OutputWriter } from './output-writer';

const SCAN_BATCH_SIZE = 32;

/** Malformed records kept for the summary; the rest are only counted. */
const MALFORMED_KEPT = 1000;

export interface RuleTally {
  ruleId: string;
  ruleTitle: string;
  level: string;
  matches: number;
  /** Matches that were printed (report: true). */
  reported: number;
}

export interface ScanResult {
  /** Records read, parsed or not. */
  events: number;
  /** Of `events`, NDJSON lines dropped unparsed: the rule set's linePrefilter showed no rule can match them. */
  prefiltered: number;
  malformedCount: number;
  malformed: MalformedRecord[];
  readErrors: CloudTrailReadError[];
  tallies: Map<string, RuleTally>;
  alerts: number;
  /** Reported matches of records that carry no eventID (absent from --format ids). */
  matchesWithoutId: number;
  durationMs: number;
}

export interface ScanRequest {
  paths: readonly string[];
  ruleSet: RuleSet;
  format: OutputFormat;
  out: Writable;
  /** Read for the path `-` (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Called with raw bytes read and events so far, for a progress bar. */
  onProgress?: (bytes: number, events: number) => void;
  /** Parse every line even when the rule set can rule lines out from their raw text (default true). */
  prefilter?: boolean;
}

/** `-` reads standard input (NDJSON or a log file, gzipped or not); anything else is a file or folder. */
async function* readInputs(paths: readonly string[], options: ReadOptions, stdin: NodeJS.ReadableStream): AsyncGenerator<RecordBatch> {
  for (const path of paths) {
    if (path !== '-') {
      yield* readPaths([path], options);
      continue;
    }
    try {
      yield* readStream(stdin as AsyncIterable<Buffer>, '<stdin>', options);
    } catch (error) {
      if (!(error instanceof CloudTrailReadError)) throw error;
      options.onReadError?.(error);
    }
  }
}

export async function scan(request: ScanRequest): Promise<ScanResult> {
  const started = process.hrtime.bigint();
  const { ruleSet } = request;
  const output = createOutput(request.format);
  const writer = new OutputWriter(request.out);
  const result: ScanResult = {
    events: 0,
    prefiltered: 0,
    malformedCount: 0,
    malformed: [],
    readErrors: [],
    tallies: new Map(),
    alerts: 0,
    matchesWithoutId: 0,
    durationMs: 0,
  };
  let bytes = 0;
  const onBytes = request.onProgress ? (n: number): void => void (bytes += n) : undefined;
  const correlating = ruleSet.hasCorrelations;

  for (const line of output.header()) writer.line(line);

  const handleBatch = async (batch: RecordBatch): Promise<void> => {
    for (const malformed of batch.malformed) {
      result.malformedCount++;
      if (result.malformed.length < MALFORMED_KEPT) result.malformed.push(malformed);
    }
    const { records, positions, source } = batch;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const matches = ruleSet.match(record);
      if (matches.length === 0) continue;
      for (const match of matches) {
        let tally = result.tallies.get(match.ruleId);
        if (tally === undefined) {
          tally = { ruleId: match.ruleId, ruleTitle: match.ruleTitle, level: match.level, matches: 0, reported: 0 };
          result.tallies.set(match.ruleId, tally);
        }
        tally.matches++;
        if (!match.report) continue;
        tally.reported++;
        if (record.eventID === undefined && record['eventId'] === undefined) result.matchesWithoutId++;
        for (const line of output.match({ match, record, source, position: positions[i] ?? {} })) writer.line(line);
      }
      if (correlating) {
        for (const alert of await ruleSet.correlate(record, matches)) {
          result.alerts++;
          for (const line of output.alert(alert)) writer.line(line);
        }
      }
      if (writer.pending) await writer.flush();
    }
    result.events += records.length;
    request.onProgress?.(bytes, result.events + result.prefiltered);
  };

  const mayMatch = request.prefilter === false ? undefined : ruleSet.linePrefilter;
  const options: ReadOptions = {
    // Small batches: parsed records die young (a scavenge frees them) instead of surviving into the
    // old generation while a large batch fills.
    batchSize: SCAN_BATCH_SIZE,
    onReadError: (error) => result.readErrors.push(error),
    ...(onBytes ? { onBytes } : {}),
    ...(mayMatch
      ? {
          skipLine: (line: Buffer, text: string): boolean => {
            if (mayMatch(line, text)) return false;
            result.prefiltered++;
            return true;
          },
        }
      : {}),
  };
  for await (const batch of readInputs(request.paths, options, request.stdin ?? process.stdin)) await handleBatch(batch);
  result.events += result.prefiltered;
  await writer.flush();
  result.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  return result;
}
