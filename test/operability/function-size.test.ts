// "No function in src/ over ~80 lines without a comment saying why" (issue 21): a long function is a
// list of steps a reader cannot find from the file list. Measured with TypeScript's own parser, from
// the function's first line to its last; one that is long on purpose says so right above it with a
// comment starting `// Long on purpose:`.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from '../helpers/vigil-cli.ts';

const LIMIT = 80;

function longFunctions(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - first + 1;
      // The statement the function belongs to carries the comment (`const f = () => …`, `export function`).
      let owner: ts.Node = node;
      while (
        owner.parent &&
        !ts.isSourceFile(owner.parent) &&
        !ts.isBlock(owner.parent) &&
        !ts.isClassLike(owner.parent) &&
        !ts.isObjectLiteralExpression(owner.parent)
      )
        owner = owner.parent;
      const comments = ts.getLeadingCommentRanges(text, owner.getFullStart()) ?? [];
      const why = comments.some((c) => /^\/\/ Long on purpose:/.test(text.slice(c.pos, c.end)));
      if (lines > LIMIT && !why) {
        const name =
          (node as ts.FunctionDeclaration).name?.getText(source) ??
          (ts.isVariableDeclaration(node.parent) || ts.isPropertyAssignment(node.parent) ? node.parent.name.getText(source) : '(anonymous)');
        found.push(`${path.relative(repoRoot, file)}:${first + 1} ${name}: ${lines} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

describe('function size', () => {
  test(`no function in src/ is over ${LIMIT} lines without a "// Long on purpose:" comment`, async () => {
    const found: string[] = [];
    for (const file of await tsFiles(path.join(repoRoot, 'src'))) found.push(...longFunctions(file, await readFile(file, 'utf8')));
    assert.deepEqual(found, [], `split these into named steps, or say why not:\n${found.join('\n')}`);
  });

  test('the rule sees a long function, an arrow and a method, and accepts the comment', () => {
    const body = Array.from({ length: LIMIT }, (_, i) => `  x += ${i};`).join('\n');
    const text = [
      `export function long() {\n  let x = 0;\n${body}\n  return x;\n}`,
      `const arrow = () => {\n  let x = 0;\n${body}\n  return x;\n};`,
      `class C {\n  method() {\n    let x = 0;\n${body}\n    return x;\n  }\n}`,
      `// Long on purpose: a table.\nexport function table() {\n  let x = 0;\n${body}\n  return x;\n}`,
      `export function short() {\n  return 1;\n}`,
    ].join('\n');
    const found = longFunctions(path.join(repoRoot, 'x.ts'), text);
    assert.deepEqual(
      found.map((f) => f.replace(/:\d+ /, ' ').replace(/: \d+ lines/, '')),
      ['x.ts long', 'x.ts arrow', 'x.ts method'],
    );
  });
});
