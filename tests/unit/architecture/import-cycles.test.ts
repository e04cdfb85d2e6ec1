/**
 * No import circles in src/, counting `import type` too. ESLint's import-x/no-cycle
 * ignores type-only imports, yet a type circle still ties two modules together: each
 * can only be understood, moved or split with the other. This builds the graph from
 * every import and re-export (static, type-only and `import()`), resolving relative
 * specifiers to .ts/.tsx files, and lists each circle it finds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const sourceRoot = join(root, 'src');

/** Every .ts/.tsx file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The source file a relative specifier names, as the bundler resolves it; undefined for packages and assets. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  if (/\.tsx?$/.test(base)) candidates.unshift(base);
  return candidates.find(isFile);
}

/** Every module a source text refers to: imports, `import type`, `export … from` and `import()`. */
function moduleSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName }) => fileName);
}

/** Each file's imports of other source files, by absolute path. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = moduleSpecifiers(readFileSync(file, 'utf8'))
      .map((specifier) => resolveSpecifier(file, specifier))
      .filter((path) => path !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected components with a circle in them (Tarjan), each as one circle through it. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;

  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfImport = graph.get(node)?.includes(node) ?? false;
    if (component.length > 1 || selfImport) components.push(component);
  };

  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => circleThrough(graph, new Set(component)));
}

/** One circle inside `component`, from its first file (sorted) back to it, by breadth-first search. */
function circleThrough(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of graph.get(node) ?? []) {
      if (!component.has(target)) continue;
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start];
}

describe('import graph of src/', () => {
  const files = sourceFiles(sourceRoot);
  const graph = importGraph(files);
  const name = (path: string): string => relative(root, path);

  it('reads every kind of import, type-only ones included', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "import { type C } from './c';",
      "export type { D } from './d';",
      "export * from './e';",
      "type F = import('./f').F;",
      "import './g';",
    ].join('\n');
    expect(moduleSpecifiers(text)).toEqual(['./a', './b', './c', './d', './e', './f', './g']);
  });

  it('resolves relative specifiers to the source files', () => {
    expect(files.length).toBeGreaterThan(50);
    const edges = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
    expect(edges).toBeGreaterThan(files.length);
    expect(resolveSpecifier(join(sourceRoot, 'shared/api.ts'), './contract')).toBe(
      join(sourceRoot, 'shared/contract.ts'),
    );
  });

  it('finds a type-only circle', () => {
    const a = join(sourceRoot, 'a.ts');
    const b = join(sourceRoot, 'b.ts');
    const c = join(sourceRoot, 'c.ts');
    expect(
      findCycles(
        new Map([
          [a, [b]],
          [b, [c]],
          [c, [a]],
        ]),
      ),
    ).toEqual([[a, b, c, a]]);
    expect(
      findCycles(
        new Map([
          [a, [b]],
          [b, [c]],
          [c, []],
        ]),
      ),
    ).toEqual([]);
  });

  it('has no import circles, counting `import type`', () => {
    const circles = findCycles(graph).map((circle) => circle.map(name).join(' → '));
    expect(circles, `import circles:\n${circles.join('\n')}`).toEqual([]);
  });
});
