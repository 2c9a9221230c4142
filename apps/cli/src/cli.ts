import { Command, InvalidArgumentError, Option } from 'commander';
import { compileCloudTrailRuleSet } from '@trailguard/detection';
import { loadBuiltinRules, type RuleSet, type SigmaDocument } from '@trailguard/sigma';
import { OUTPUT_FORMATS, type OutputFormat } from './output/scan-output.types';
import { inputBytes, PROGRESS_MIN_BYTES, startProgress, type Progress } from './progress';
import { formatProblem, loadDocuments, loadFilters, problemOf, type RuleProblem } from './rule-loader';
import { scan } from './scan.service';
import { renderSummary } from './summary';

/** Exit statuses: 0 everything evaluated (matches or not), 2 a rule was rejected or an input unreadable. */
export const EXIT_OK = 0;
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
  if (problems.length > 0) return { problems };

  try {
    return {
      ruleSet: compileCloudTrailRuleSet({
        documents,
        filters: extra.filters,
        placeholders: placeholderValues(flags.placeholder, flags.expand),
      }),
      problems,
    };
  } catch (error) {
    return { problems: [problemOf(error, flags.rules[0] ?? '<built-in rules>')] };
  }
}

async function runScan(paths: string[], flags: ScanFlags): Promise<number> {
  const stderr = process.stderr;
  const { ruleSet, problems } = await buildRuleSet(flags);
  if (ruleSet === undefined) {
    for (const problem of problems) stderr.write(`${formatProblem(problem)}\n`);
    stderr.write(`trailguard: ${problems.length} rule problem(s); nothing was scanned\n`);
    return EXIT_REJECTED;
  }
  for (const warning of ruleSet.warnings ?? []) stderr.write(`trailguard: warning: ${warning}\n`);
  const format: OutputFormat = flags.format ?? (process.stdout.isTTY ? 'table' : 'ndjson');

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
      out: process.stdout,
      prefilter: flags.prefilter,
      ...(progress ? { onProgress: (bytes: number, events: number) => progress.update(bytes, events) } : {}),
    });
  } finally {
    progress?.stop();
  }
  if (flags.summary) stderr.write(renderSummary(result, paths.length));
  return result.readErrors.length > 0 ? EXIT_REJECTED : EXIT_OK;
}

export function buildProgram(onExitCode: (code: number) => void): Command {
  const program = new Command('trailguard').description('Trailguard: Sigma detections for AWS CloudTrail');
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
    .option('--filter <file>', 'Sigma filter documents to apply; repeatable', collect, [])
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, ndjson otherwise)').choices(OUTPUT_FORMATS))
    .option('--placeholder <name=v1,v2>', 'values of a %name% placeholder of the |expand modifier; repeatable', parsePlaceholder, [])
    .option('--expand <name=value>', 'one value of a %name% placeholder (as --placeholder, one value); repeatable', parsePlaceholder, [])
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
