import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { compileCloudTrailRuleSet } from '@trailguard/detection';
import { loadBuiltinRules, type RuleSet, type SigmaDocument } from '@trailguard/sigma';
import { version } from '../package.json';
import { colorsFor } from './output/colors';
import { LEVELS, levelRank } from './output/levels';
import { OUTPUT_FORMATS, type OutputFormat } from './output/scan-output.types';
import { inputBytes, PROGRESS_MIN_BYTES, startProgress, type Progress } from './progress';
import { formatProblem, loadDocuments, loadFilters, problemOf, type RuleProblem } from './rule-loader';
import { scan } from './scan.service';
import { renderSummary } from './summary';

/**
 * Exit statuses: 0 everything evaluated (matches or not); 1 --fail-on LEVEL and a match at or above
 * it; 2 a rule was rejected, an input unreadable or without any CloudTrail record, or the output
 * file could not be written.
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_REJECTED = 2;

interface ScanFlags {
  rules: string[];
  filter: string[];
  format?: OutputFormat;
  expand: string[];
  placeholder: string[];
  progress: boolean;
  summary: boolean;
  prefilter: boolean;
  color: boolean;
  minLevel?: string;
  failOn?: string;
  output?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function parsePlaceholder(value: string, previous: string[]): string[] {
  if (!/^%?[^=%]+%?=/.test(value)) throw new InvalidArgumentError('expected NAME=VALUE, e.g. Administrators=arn:aws:iam::*:role/Admin');
  return [...previous, value];
}

/**
 * `%Name%` placeholders of `|expand`: `--placeholder Name=V1,V2` (comma-separated values) and the
 * older `--expand Name=V` (one value, repeatable). A placeholder given neither way rejects its rule.
 */
export function placeholderValues(placeholderFlags: readonly string[], expandFlags: readonly string[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  const add = (pair: string, split: boolean): void => {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).replace(/^%|%$/g, '').toLowerCase();
    const raw = pair.slice(at + 1);
    values.set(name, [...(values.get(name) ?? []), ...(split ? raw.split(',').filter((v) => v !== '') : [raw])]);
  };
  for (const pair of placeholderFlags) add(pair, true);
  for (const pair of expandFlags) add(pair, false);
  return values;
}

interface BuiltRules {
  ruleSet?: RuleSet;
  filters: number;
  problems: RuleProblem[];
}

async function buildRuleSet(flags: ScanFlags): Promise<BuiltRules> {
  const problems: RuleProblem[] = [];
  let documents: SigmaDocument[];
  if (flags.rules.length === 0) {
    documents = loadBuiltinRules();
  } else {
    const loaded = await loadDocuments(flags.rules);
    documents = loaded.documents;
    problems.push(...loaded.problems);
  }
  const extra = await loadFilters(flags.filter);
  problems.push(...extra.problems);
  const filters = documents.filter((d) => d.kind === 'filter').length + extra.filters.length;
  if (problems.length > 0) return { problems, filters };
  try {
    return {
      ruleSet: compileCloudTrailRuleSet({
        documents,
        filters: extra.filters,
        placeholders: placeholderValues(flags.placeholder, flags.expand),
      }),
      filters,
      problems,
    };
  } catch (error) {
    return { problems: [problemOf(error, flags.rules[0] ?? '<built-in rules>')], filters };
  }
}

/** Where results go: the --output file (created or truncated) or standard output. */
async function openOutput(path: string | undefined): Promise<{ out: Writable; close: () => Promise<void> }> {
  if (path === undefined) return { out: process.stdout, close: async () => undefined };
  const file = createWriteStream(path);
  await once(file, 'open');
  return {
    out: file,
    close: async () => {
      file.end();
      await once(file, 'finish');
    },
  };
}

async function runScan(paths: string[], flags: ScanFlags): Promise<number> {
  const stderr = process.stderr;
  const { ruleSet, problems, filters } = await buildRuleSet(flags);
  if (ruleSet === undefined) {
    for (const problem of problems) stderr.write(`${formatProblem(problem)}\n`);
    stderr.write(`trailguard: ${problems.length} rule problem(s); nothing was scanned\n`);
    return EXIT_REJECTED;
  }
  for (const warning of ruleSet.warnings ?? []) stderr.write(`trailguard: warning: ${warning}\n`);
  const toFile = flags.output !== undefined;
  const format: OutputFormat = flags.format ?? (!toFile && process.stdout.isTTY ? 'table' : 'ndjson');

  let target;
  try {
    target = await openOutput(flags.output);
  } catch (error) {
    stderr.write(`trailguard: cannot write ${flags.output}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_REJECTED;
  }
  const onTerminal = !toFile && process.stdout.isTTY === true;
  const columns = Number(process.env['COLUMNS']);
  let progress: Progress | undefined;
  if (flags.progress && stderr.isTTY) {
    const total = await inputBytes(paths);
    if (total >= PROGRESS_MIN_BYTES) progress = startProgress(total, stderr);
  }
  let result;
  try {
    result = await scan({
      paths,
      ruleSet,
      format,
      out: target.out,
      output: {
        color: flags.color && !toFile && colorsFor(process.stdout),
        width: onTerminal ? (process.stdout.columns ?? 120) : Number.isFinite(columns) && columns > 0 ? columns : Number.POSITIVE_INFINITY,
      },
      prefilter: flags.prefilter,
      ...(flags.minLevel !== undefined ? { minLevel: flags.minLevel } : {}),
      ...(progress ? { onProgress: (bytes: number, events: number) => progress.update(bytes, events) } : {}),
    });
  } finally {
    progress?.stop();
    await target.close();
  }
  if (flags.summary) {
    stderr.write(renderSummary(result, { inputs: paths.length, rules: ruleSet.rules, filters, color: flags.color && colorsFor(stderr) }));
  }
  for (const path of result.emptyInputs) stderr.write(`trailguard: ${path}: no CloudTrail records in this input\n`);
  if (result.readErrors.length > 0 || result.emptyInputs.length > 0) return EXIT_REJECTED;
  if (flags.failOn !== undefined && result.highestRank >= levelRank(flags.failOn)) {
    stderr.write(`trailguard: matches at or above ${flags.failOn} (--fail-on)\n`);
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

export function buildProgram(onExitCode: (code: number) => void): Command {
  const program = new Command('trailguard')
    .description('Trailguard: Sigma detections for AWS CloudTrail')
    .version(version, '-V, --version');
  program
    .command('scan')
    .description('Evaluate Sigma rules against CloudTrail files (log-file JSON, NDJSON, .gz, folders)')
    .argument('<paths...>', 'files or folders to scan (- reads standard input)')
    .option(
      '--rules <path>',
      'Sigma rule file or folder (.yml/.yaml, several documents per file); repeatable. Default: the built-in rules',
      collect,
      [],
    )
    .option('--filter <file>', 'Sigma filter documents to apply (ANDed onto the rules they name); repeatable', collect, [])
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, ndjson otherwise)').choices(OUTPUT_FORMATS))
    .option('-o, --output <file>', 'write the results to this file instead of standard output')
    .addOption(new Option('--min-level <level>', 'report only matches at or above this level').choices(LEVELS))
    .addOption(new Option('--fail-on <level>', 'exit 1 when a match is at or above this level (for CI pipelines)').choices(LEVELS))
    .option('--placeholder <name=v1,v2>', 'values of a %name% placeholder of the |expand modifier; repeatable', parsePlaceholder, [])
    .option('--expand <name=value>', 'one value of a %name% placeholder (as --placeholder, one value); repeatable', parsePlaceholder, [])
    .option('--no-color', 'no severity colours (also off when the output is not a terminal, or NO_COLOR is set)')
    .option('--no-progress', 'never show a progress bar')
    .option('--no-summary', 'do not print the summary on stderr')
    .option('--no-prefilter', 'parse every NDJSON line, even those the rules rule out from their raw text')
    .action(async (paths: string[], flags: ScanFlags) => {
      onExitCode(await runScan(paths, flags));
    });
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  let code = EXIT_OK;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // A closed pipe (`trailguard scan ... | head`) ends the output, not the world.
    if (error.code === 'EPIPE') process.exit(code);
    throw error;
  });
  await buildProgram((c) => (code = c)).parseAsync([...argv]);
  return code;
}
