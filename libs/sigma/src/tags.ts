/**
 * ATT&CK v19 renumbered some techniques and split tactics; SigmaHQ retagged its rules on
 * 2026-04-29 (commit 34c5d66c2). Rules expose both spellings so searches on either id find them.
 */
const RENUMBERED: ReadonlyArray<readonly [oldTag: string, newTag: string]> = [['attack.t1562.008', 'attack.t1685.002']];
const TACTIC_SPLIT: readonly [oldTag: string, newTag: string] = ['attack.defense-evasion', 'attack.defense-impairment'];

export function withAttackAliases(tags: readonly string[]): string[] {
  const out = new Set(tags.map((t) => t.toLowerCase()));
  let renumbered = false;
  for (const [oldTag, newTag] of RENUMBERED) {
    if (out.has(oldTag) || out.has(newTag)) {
      out.add(oldTag);
      out.add(newTag);
      renumbered = true;
    }
  }
  // defense-impairment did not exist before v19: its rules were defense-evasion. The reverse only
  // holds for the renumbered techniques (most defense-evasion rules became "stealth" or stayed).
  if (out.has(TACTIC_SPLIT[1])) out.add(TACTIC_SPLIT[0]);
  if (renumbered && out.has(TACTIC_SPLIT[0])) out.add(TACTIC_SPLIT[1]);
  return [...out];
}
