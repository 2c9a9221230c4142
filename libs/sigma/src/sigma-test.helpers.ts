import { compileRuleSet, type EngineOptions, type RuleSet } from './rule-set';
import { parseSigma } from './document.parser';

/** Indents a detection body written flush-left in a template string under `detection:`. */
export function ruleText(detection: string, extra = ''): string {
  const body = detection
    .replace(/^\n/, '')
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `title: test rule\nid: test-rule\nlogsource:\n    product: aws\n${extra}detection:\n${body}\n`;
}

export function ruleSetFor(detection: string, options?: EngineOptions): RuleSet {
  return compileRuleSet(parseSigma(ruleText(detection), 'test.yml'), options);
}

export function matches(detection: string, event: object, options?: EngineOptions): boolean {
  return ruleSetFor(detection, options).match(event).length > 0;
}

/** Runs `fn` and returns the SigmaError it throws (fails the test if it does not throw). */
export function errorOf(fn: () => unknown): { code: string; line?: number; column?: number; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code: string; line?: number; column?: number; message: string };
  }
  throw new Error('expected an error');
}
