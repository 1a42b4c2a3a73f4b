// Which definition a step's text means. Exactly one must match: none is an error listing the closest
// known steps, two is an error naming both (a team's step must not silently shadow a shipped one).
import type { ParsedStep, StepDefinition } from './types.ts';

export interface CompiledDefinition {
  definition: StepDefinition;
  regexp: RegExp;
  /** How the step is shown in "closest known steps". */
  shown: string;
}

export interface StepMatch {
  definition: StepDefinition;
  args: string[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `{string}` is a "quoted" argument, `{int}` a whole number; everything else is literal. */
function stringPattern(pattern: string): RegExp {
  const source = pattern
    .split(/(\{string\}|\{int\})/)
    .map((part) => (part === '{string}' ? '"([^"]*)"' : part === '{int}' ? '(-?\\d+)' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`);
}

export function compileDefinitions(definitions: readonly StepDefinition[]): CompiledDefinition[] {
  return definitions.map((definition) => {
    const regexp = typeof definition.pattern === 'string' ? stringPattern(definition.pattern) : definition.pattern;
    const shown = definition.example ?? (typeof definition.pattern === 'string' ? definition.pattern : definition.pattern.source.replace(/^\^|\$$/g, ''));
    return { definition, regexp, shown };
  });
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known steps nearest to `text` (quoted values blanked out, so "app-0" vs "shop" does not count). */
export function closestSteps(text: string, compiled: readonly CompiledDefinition[], count = 3): string[] {
  const shape = (t: string) => t.toLowerCase().replace(/"[^"]*"/g, '""');
  const wanted = shape(text);
  return compiled
    .map((c) => ({ shown: c.shown, distance: editDistance(wanted, shape(c.shown)) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, count)
    .map((c) => c.shown);
}

/** The one match, or a problem in words. */
export function matchStep(step: ParsedStep, compiled: readonly CompiledDefinition[]): StepMatch | { problem: string } {
  const matches: StepMatch[] = [];
  const shown: string[] = [];
  for (const c of compiled) {
    const m = c.regexp.exec(step.text);
    if (m) {
      matches.push({ definition: c.definition, args: m.slice(1).map((a) => a ?? '') });
      shown.push(c.shown);
    }
  }
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) return { problem: `matches more than one step definition: ${shown.map((s) => JSON.stringify(s)).join(', ')}` };
  return {
    problem: `no step matches this text; closest known steps:\n${closestSteps(step.text, compiled)
      .map((s) => `    ${s}`)
      .join('\n')}`,
  };
}
