import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseSigma, SigmaError, type SigmaDocument, type SigmaFilter } from '@trailguard/sigma';

const RULE_EXTENSIONS = new Set(['.yml', '.yaml']);

/** A rule file that cannot be used, reported as `file:line:column: message`. */
export interface RuleProblem {
  file: string;
  line?: number;
  column?: number;
  code: string;
  message: string;
}

export function formatProblem(problem: RuleProblem): string {
  const at = problem.line === undefined ? '' : `:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  return `${problem.file}${at}: ${problem.message} [${problem.code}]`;
}

/** A SigmaError (whatever produced it) as a problem located in `file`. */
export function problemOf(error: unknown, file: string): RuleProblem {
  if (error instanceof SigmaError) {
    // `reason` (when the engine provides it) is the message without the position prefix.
    const reason = (error as SigmaError & { reason?: unknown }).reason;
    const problem: RuleProblem = {
      file: error.source ?? file,
      code: error.code,
      message: typeof reason === 'string' ? reason : error.message,
    };
    if (error.line !== undefined) problem.line = error.line;
    if (error.column !== undefined) problem.column = error.column;
    return problem;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return { file, code: 'rule_file_not_found', message: 'no such file or directory' };
  return {
    file,
    code: typeof code === 'string' ? code : 'unreadable_rule_file',
    message: error instanceof Error ? error.message : String(error),
  };
}

async function ruleFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (RULE_EXTENSIONS.has(extname(entry.name).toLowerCase())) found.push(full);
    }
  };
  await walk(path);
  return found.sort();
}

export interface LoadedDocuments {
  documents: SigmaDocument[];
  problems: RuleProblem[];
}

/** Every document of every YAML file under the given files and folders; all problems, not just the first. */
export async function loadDocuments(paths: readonly string[]): Promise<LoadedDocuments> {
  const documents: SigmaDocument[] = [];
  const problems: RuleProblem[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = await ruleFiles(path);
    } catch (error) {
      problems.push(problemOf(error, path));
      continue;
    }
    for (const file of files) {
      try {
        documents.push(...parseSigma(await readFile(file, 'utf8'), file));
      } catch (error) {
        problems.push(problemOf(error, file));
      }
    }
  }
  return { documents, problems };
}

/** Filter documents from --filter files; any other kind of document there is a mistake worth stopping for. */
export async function loadFilters(paths: readonly string[]): Promise<{ filters: SigmaFilter[]; problems: RuleProblem[] }> {
  const { documents, problems } = await loadDocuments(paths);
  const filters: SigmaFilter[] = [];
  for (const doc of documents) {
    if (doc.kind === 'filter') {
      filters.push(doc);
      continue;
    }
    const pos = (doc as { pos?: { line: number; column: number } }).pos;
    const problem: RuleProblem = {
      file: doc.source ?? '<filter>',
      code: 'not_a_filter',
      message: `--filter expects Sigma filter documents, found a ${doc.kind} ("${doc.title}")`,
    };
    if (pos) {
      problem.line = pos.line;
      problem.column = pos.column;
    }
    problems.push(problem);
  }
  return { filters, problems };
}
