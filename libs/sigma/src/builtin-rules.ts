import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseSigma } from './document.parser';
import type { SigmaDocument } from './sigma.types';

/** The shipped rule folder, found relative to this file so it works from src and from a build. */
export const BUILTIN_RULES_DIR = join(__dirname, '..', 'rules');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
}

/**
 * The shipped library: the SigmaHQ AWS CloudTrail pack (DRL 1.1, see rules/sigmahq/LICENSE*) and the
 * Trailguard seed rules. Each document's `source` is its path below the rules folder.
 */
export function loadBuiltinRules(): SigmaDocument[] {
  return yamlFiles(BUILTIN_RULES_DIR).flatMap((file) => parseSigma(readFileSync(file, 'utf8'), relative(BUILTIN_RULES_DIR, file)));
}
