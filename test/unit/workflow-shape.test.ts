import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const WORKFLOWS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'workflows');
const MAX_FUNCTION_LINES = 80;
const MAX_SHIPMENT_WORKFLOW_LINES = 150;

async function workflowFiles(dir = WORKFLOWS): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? workflowFiles(path.join(dir, e.name))
        : Promise.resolve(e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

/** Every function with a body, as `file:line name (n lines)`, longer than `max` lines. */
async function longFunctions(max: number): Promise<string[]> {
  const long: string[] = [];
  for (const file of await workflowFiles()) {
    const text = await fs.readFile(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = source.getLineAndCharacterOfPosition(node.end).line;
        const lines = last - first + 1;
        const name = node.name?.getText(source) ?? '(anonymous)';
        if (lines > max) {
          long.push(`${path.relative(WORKFLOWS, file)}:${first + 1} ${name} (${lines} lines)`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return long;
}

describe('workflow code reads as setup, run and small named steps', () => {
  it(`no function in workflows/ is longer than ${MAX_FUNCTION_LINES} lines`, async () => {
    expect(await longFunctions(MAX_FUNCTION_LINES)).toEqual([]);
  });

  it('the check finds a long function (it would not pass by finding none)', async () => {
    expect((await longFunctions(20)).length).toBeGreaterThan(0);
  });

  it(`the shipment workflow's file (handlers and stage loop) fits on one screen: at most ${MAX_SHIPMENT_WORKFLOW_LINES} lines`, async () => {
    const text = await fs.readFile(path.join(WORKFLOWS, 'shipment.workflow.ts'), 'utf8');
    expect(text.split('\n').length - 1).toBeLessThanOrEqual(MAX_SHIPMENT_WORKFLOW_LINES);
  });
});
