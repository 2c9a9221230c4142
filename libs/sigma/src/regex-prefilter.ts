/**
 * The longest literal that every match of an RE2 pattern must contain, or undefined when none can
 * be proven. Used as a cheap `includes` check before running the regex. Conservative by design:
 * anything unusual (top-level `|`, inline flags `(?`, `\Q`) gives up, and quantified characters
 * are dropped from the literal.
 */
export function requiredLiteral(pattern: string): string | undefined {
  if (pattern.includes('(?') || pattern.includes('\\Q')) return undefined;
  const runs: string[] = [];
  let run = '';
  const end = (): void => {
    if (run) runs.push(run);
    run = '';
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '|') return undefined; // top level: groups and classes are skipped below
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== undefined && /[^A-Za-z0-9]/.test(next)) {
        run += next;
      } else {
        end();
      }
      i += 2;
      continue;
    }
    if (c === '(') {
      end();
      i = skipGroup(pattern, i);
      if (i < 0) return undefined;
      continue;
    }
    if (c === '[') {
      end();
      i = skipClass(pattern, i);
      if (i < 0) return undefined;
      continue;
    }
    if (c === '*' || c === '?' || c === '{') {
      run = run.slice(0, -1); // the quantified character is optional or repeated
      end();
      const rep = c === '{' ? /^\{\d+(,\d*)?\}/.exec(pattern.slice(i)) : null;
      i += rep ? rep[0].length : 1;
      continue;
    }
    if (c === '+') {
      end();
      i++;
      continue;
    }
    if (c === '.' || c === '^' || c === '$' || c === ')' || c === ']' || c === '}') {
      end();
      i++;
      continue;
    }
    run += c;
    i++;
  }
  end();
  let best = '';
  for (const r of runs) if (r.length > best.length) best = r;
  return best.length >= 3 ? best : undefined;
}

/** Index just past the `)` closing the group at `start`, or -1. */
function skipGroup(p: string, start: number): number {
  let depth = 0;
  for (let i = start; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i = skipClass(p, i) - 1;
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Index just past the `]` closing the class at `start`, or -1. */
function skipClass(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === ']') return i + 1;
  }
  return -1;
}
