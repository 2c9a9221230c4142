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
import { levelRank } from './output/levels';
import type { OutputFormat, OutputOptions } from './output/scan-output.types';
import { OutputWriter } from './output-writer';

/** Small batches: parsed records die young (a scavenge frees them) instead of ageing while a batch fills. */
const SCAN_BATCH_SIZE = 32;

/** Malformed records kept for the summary; the rest are only counted. */
const MALFORMED_KEPT = 1000;

export interface RuleTally {
  ruleId: string;
  ruleTitle: string;
  level: string;
  matches: number;
  /** Matches that were printed (report: true, at or above --min-level). */
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
  /** Input paths (files, folders, `-`) that held no CloudTrail record at all. */
  emptyInputs: string[];
  tallies: Map<string, RuleTally>;
  alerts: number;
  /** Reported matches of records that carry no eventID (absent from --format ids). */
  matchesWithoutId: number;
  /** Rank (0 informational ... 4 critical) of the most severe match or alert that reports (any level); -1: none. */
  highestRank: number;
  /** Earliest and latest eventTime seen (ISO text as CloudTrail writes it). */
  firstEventTime?: string;
  lastEventTime?: string;
  durationMs: number;
}

export interface ScanRequest {
  paths: readonly string[];
  ruleSet: RuleSet;
  format: OutputFormat;
  out: Writable;
  /** Colours and width of the table (default: no colour, 160 columns). */
  output?: OutputOptions;
  /** Report only matches and alerts at or above this level (correlations still see every match). */
  minLevel?: string;
  /** Read for the path `-` (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Called with raw bytes read and events so far, for a progress bar. */
  onProgress?: (bytes: number, events: number) => void;
  /** Parse every line even when the rule set can rule lines out from their raw text (default true). */
  prefilter?: boolean;
}

/** `-` reads standard input (NDJSON or a log file, gzipped or not); anything else is a file or folder. */
async function* readInput(path: string, options: ReadOptions, stdin: NodeJS.ReadableStream): AsyncGenerator<RecordBatch> {
  if (path !== '-') {
    yield* readPaths([path], options);
    return;
  }
  try {
    yield* readStream(stdin as AsyncIterable<Buffer>, '<stdin>', options);
  } catch (error) {
    if (!(error instanceof CloudTrailReadError)) throw error;
    options.onReadError?.(error);
  }
}

const TIME_KEY = '"eventTime"';

/** The eventTime of a line dropped unparsed (ASCII, no escapes: the first quoted value after the key). */
function rawEventTime(text: string): string | undefined {
  const at = text.indexOf(TIME_KEY);
  if (at === -1) return undefined;
  const open = text.indexOf('"', at + TIME_KEY.length);
  const close = open === -1 ? -1 : text.indexOf('"', open + 1);
  return close === -1 ? undefined : text.slice(open + 1, close);
}

export async function scan(request: ScanRequest): Promise<ScanResult> {
  const started = process.hrtime.bigint();
  const { ruleSet } = request;
  const output = createOutput(request.format, request.output);
  const writer = new OutputWriter(request.out);
  const minRank = request.minLevel === undefined ? 0 : levelRank(request.minLevel);
  const result: ScanResult = {
    events: 0,
    prefiltered: 0,
    malformedCount: 0,
    malformed: [],
    readErrors: [],
    emptyInputs: [],
    tallies: new Map(),
    alerts: 0,
    matchesWithoutId: 0,
    highestRank: -1,
    durationMs: 0,
  };
  let bytes = 0;
  const onBytes = request.onProgress ? (n: number): void => void (bytes += n) : undefined;
  const correlating = ruleSet.hasCorrelations;
  const seeTime = (time: unknown): void => {
    if (typeof time !== 'string') return;
    if (result.firstEventTime === undefined || time < result.firstEventTime) result.firstEventTime = time;
    if (result.lastEventTime === undefined || time > result.lastEventTime) result.lastEventTime = time;
  };
  // --fail-on looks at every match that would be reported, whatever --min-level hides.
  const reportable = (level: string): boolean => {
    const rank = levelRank(level);
    if (rank > result.highestRank) result.highestRank = rank;
    return rank >= minRank;
  };

  for (const line of output.header()) writer.line(line);

  const handleBatch = async (batch: RecordBatch): Promise<void> => {
    for (const malformed of batch.malformed) {
      result.malformedCount++;
      if (result.malformed.length < MALFORMED_KEPT) result.malformed.push(malformed);
    }
    const { records, positions, source } = batch;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      seeTime(record.eventTime);
      const matches = ruleSet.match(record);
      if (matches.length === 0) continue;
      for (const match of matches) {
        let tally = result.tallies.get(match.ruleId);
        if (tally === undefined) {
          tally = { ruleId: match.ruleId, ruleTitle: match.ruleTitle, level: match.level, matches: 0, reported: 0 };
          result.tallies.set(match.ruleId, tally);
        }
        tally.matches++;
        if (!match.report || !reportable(match.level)) continue;
        tally.reported++;
        if (record.eventID === undefined && record['eventId'] === undefined) result.matchesWithoutId++;
        for (const line of output.match({ match, record, source, position: positions[i] ?? {} })) writer.line(line);
      }
      if (correlating) {
        for (const alert of await ruleSet.correlate(record, matches)) {
          if (!reportable(alert.level)) continue;
          result.alerts++;
          for (const line of output.alert({ alert, record })) writer.line(line);
        }
      }
      if (writer.pending) await writer.flush();
    }
    result.events += records.length;
    request.onProgress?.(bytes, result.events + result.prefiltered);
  };

  const mayMatch = request.prefilter === false ? undefined : ruleSet.linePrefilter;
  const options: ReadOptions = {
    batchSize: SCAN_BATCH_SIZE,
    onReadError: (error) => result.readErrors.push(error),
    ...(onBytes ? { onBytes } : {}),
    ...(mayMatch
      ? {
          skipLine: (line: Buffer, text: string): boolean => {
            if (mayMatch(line, text)) return false;
            result.prefiltered++;
            seeTime(rawEventTime(text));
            return true;
          },
        }
      : {}),
  };
  for (const path of request.paths) {
    const before = result.events + result.prefiltered;
    const errorsBefore = result.readErrors.length;
    for await (const batch of readInput(path, options, request.stdin ?? process.stdin)) await handleBatch(batch);
    // An input that was read but held nothing CloudTrail (a passwd file, an empty file) is an error.
    if (result.events + result.prefiltered === before && result.readErrors.length === errorsBefore) result.emptyInputs.push(path);
  }
  result.events += result.prefiltered;
  for (const line of output.footer()) writer.line(line);
  await writer.flush();
  result.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  return result;
}
