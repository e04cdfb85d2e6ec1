/**
 * Every reference a comment makes resolves inside the repository (docs/README.md):
 * - a `docs/…` path names a file that exists, and its `#id` (or a ", S3" after it)
 *   is an anchor the page defines;
 * - a `src/…`, `tests/…`, `bench/…` or `scripts/…` path names a file or folder that
 *   exists (after a refactor moves a file, the failure says where to fix it);
 * - nothing points at notes outside the repository (a clone does not have them);
 * - every rule code cited in src/ (P1, H4, D5, W1 …) is defined in docs/practice.md.
 * The docs' own links and code-span paths are checked the same way.
 *
 * Comments are found with the TypeScript parser, so a `//` inside a string, a regex
 * or JSX text is not mistaken for one. Failures are listed as `file:line: problem`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const SCANNED_DIRS = ['src', 'tests', 'bench', 'scripts'];
const SKIPPED_DIRS = new Set(['node_modules', 'bench/results', 'out', 'dist', 'test-results']);
const SOURCE_FILE = /\.(?:ts|tsx|mts|cts|js|mjs|cjs)$/;
/** The root's own config files are code with comments too. */
const ROOT_FILES = ['eslint.config.js', 'vitest.config.ts', 'electron.vite.config.ts'];

/**
 * Paths the docs may name before they exist: where a refactor in progress lands
 * (issue 15: the command handlers move out of app-core.ts). Drop an entry once the
 * path exists on main.
 */
const LANDING_PATHS = new Set(['src/core/handlers', 'src/core/handlers/']);

/** The rule codes docs/practice.md must define. */
const RULE_CODES = [
  ...['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'],
  ...['H1', 'H2', 'H3', 'H4'],
  ...['D1', 'D2', 'D3', 'D4', 'D5'],
  ...['W1', 'W2', 'W3'],
];

/** References to material outside the repository, and what to cite instead. */
const FORBIDDEN: ReadonlyArray<{ pattern: RegExp; instead: string }> = [
  { pattern: /sipjs-notes/i, instead: 'docs/sipjs-pitfalls.md#sN' },
  { pattern: /audio-notes/i, instead: 'docs/webrtc-audio.md#aN' },
  { pattern: /\bdomain\.md\b/i, instead: 'docs/practice.md' },
  { pattern: /\bstyle\.md\b/i, instead: 'docs/code-style.md' },
  { pattern: /postgres-notes|deployment-notes/i, instead: 'a page in docs/' },
  { pattern: /\.\.\/shared\/[\w-]+\.md/i, instead: 'a page in docs/' },
  { pattern: /(?<![\w.])\/work\//, instead: 'a path inside the repository' },
  { pattern: /\btrap \d+/i, instead: 'the id of the trap in docs/ (docs/webrtc-audio.md#a3)' },
  { pattern: /\bnotes §/i, instead: 'the id of the entry in docs/ (docs/sipjs-pitfalls.md#s5)' },
];

const DOCS_REFERENCE = /(?<![\w./-])docs\/[\w./-]*[\w/](?:#[\w-]+)?/g;
const REPO_PATH = /(?<![\w./@~-])(?:src|tests|bench|scripts)\/[\w./-]*/g;
const RULE_CODE = /\b[PHDW][1-7]\b/g;

interface CommentLine {
  file: string;
  line: number;
  text: string;
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (SKIPPED_DIRS.has(path) || SKIPPED_DIRS.has(entry.name)) continue;
    if (entry.isDirectory()) walk(path, out);
    else if (SOURCE_FILE.test(entry.name)) out.push(path);
  }
}

function scriptKind(file: string): ts.ScriptKind {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** The comments of one source file, line by line. */
function commentLines(file: string, text = readFileSync(join(ROOT, file), 'utf8')): CommentLine[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const ranges = new Map<number, ts.CommentRange>();
  const jsxText: Array<[number, number]> = [];
  const visit = (node: ts.Node) => {
    if (node.kind === ts.SyntaxKind.JsxText) {
      jsxText.push([node.pos, node.end]);
      return;
    }
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) ranges.set(range.pos, range);
    for (const range of ts.getTrailingCommentRanges(text, node.end) ?? []) ranges.set(range.pos, range);
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  const lines: CommentLine[] = [];
  for (const range of ranges.values()) {
    // Text in JSX that merely looks like a comment (`<p>// x</p>`) is not one.
    if (jsxText.some(([start, end]) => range.pos >= start && range.pos < end)) continue;
    const first = source.getLineAndCharacterOfPosition(range.pos).line;
    text
      .slice(range.pos, range.end)
      .split('\n')
      .forEach((part, index) => lines.push({ file, line: first + index + 1, text: part }));
  }
  return lines.sort((a, b) => a.line - b.line);
}

/** GitHub's heading slug: lower case, punctuation dropped, spaces to hyphens. */
function githubSlug(heading: string): string {
  return heading
    .replace(/<[^>]*>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Anchors a markdown page defines: explicit `id`/`name` attributes and heading slugs. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfFile(path: string): Set<string> {
  let anchors = anchorCache.get(path);
  if (!anchors) {
    anchors = anchorsOf(readFileSync(join(ROOT, path), 'utf8'));
    anchorCache.set(path, anchors);
  }
  return anchors;
}

function exists(path: string): boolean {
  return existsSync(join(ROOT, path));
}

/** Problems with one `docs/…` reference (a path from the repository root). */
function checkDocsReference(reference: string, after: string): string[] {
  const [path = '', anchor] = reference.split('#');
  if (!exists(path)) return [`${path} does not exist`];
  const ids = anchor ? [anchor] : [];
  // "docs/sipjs-pitfalls.md, S3" cites an entry by its id too.
  const named = /^,\s*([A-Z]\d+)\b/.exec(after);
  if (named && !anchor) ids.push(named[1]!.toLowerCase());
  if (ids.length === 0) return [];
  if (!path.endsWith('.md') || statSync(join(ROOT, path)).isDirectory())
    return [`${reference}: only a markdown page has anchors`];
  const anchors = anchorsOfFile(path);
  return ids.filter((id) => !anchors.has(id)).map((id) => `${path} defines no anchor #${id}`);
}

/** Problems with one `src/…`-style path; globs and templates are checked up to their fixed part. */
function checkRepoPath(match: string, after: string): string[] {
  let path = match.replace(/[.]+$/, '');
  if (/^[*<{$]/.test(after) || /[*<{$]/.test(path)) {
    path = path.slice(0, path.lastIndexOf('/') + 1);
  }
  if (path.includes('..') || LANDING_PATHS.has(path)) return [];
  // bench/results/ holds what benchmarks write: only the folder has to be there.
  if (path.startsWith('bench/results/')) path = 'bench/results/';
  return exists(path) ? [] : [`${path} does not exist`];
}

let sourceFiles: string[] = [];
let comments: CommentLine[] = [];

beforeAll(() => {
  sourceFiles = ROOT_FILES.filter(exists);
  for (const dir of SCANNED_DIRS) walk(dir, sourceFiles);
  comments = sourceFiles.flatMap((file) => commentLines(file));
}, 60_000);

function report(problems: string[]): string {
  return `\n${problems.join('\n')}\n`;
}

describe('references in code comments', () => {
  it('finds the comments to check', () => {
    expect(sourceFiles.length).toBeGreaterThan(100);
    expect(comments.some((c) => c.file === 'src/core/phone/phone.ts')).toBe(true);
  });

  it('point at nothing outside the repository', () => {
    const problems: string[] = [];
    for (const { file, line, text } of comments) {
      for (const { pattern, instead } of FORBIDDEN) {
        const found = pattern.exec(text);
        if (found) problems.push(`${file}:${line}: "${found[0]}" is not in the repository; cite ${instead}`);
      }
    }
    expect(problems, report(problems)).toEqual([]);
  });

  it('cite docs pages and ids that exist', () => {
    const problems: string[] = [];
    for (const { file, line, text } of comments) {
      for (const match of text.matchAll(DOCS_REFERENCE)) {
        const after = text.slice(match.index + match[0].length);
        for (const problem of checkDocsReference(match[0].replace(/[.]+$/, ''), after)) {
          problems.push(`${file}:${line}: ${problem}`);
        }
      }
    }
    expect(problems, report(problems)).toEqual([]);
  });

  it('name src/, tests/, bench/ and scripts/ paths that exist', () => {
    const problems: string[] = [];
    for (const { file, line, text } of comments) {
      for (const match of text.matchAll(REPO_PATH)) {
        const after = text.slice(match.index + match[0].length);
        for (const problem of checkRepoPath(match[0], after)) problems.push(`${file}:${line}: ${problem}`);
      }
    }
    expect(problems, report(problems)).toEqual([]);
  });

  it('cite in src/ only rule codes that docs/practice.md defines', () => {
    const defined = anchorsOfFile('docs/practice.md');
    const problems: string[] = [];
    for (const { file, line, text } of comments) {
      if (!file.startsWith('src/')) continue;
      for (const [code] of text.matchAll(RULE_CODE)) {
        if (!defined.has(code.toLowerCase()))
          problems.push(`${file}:${line}: rule ${code} is not defined in docs/practice.md`);
      }
    }
    expect(problems, report(problems)).toEqual([]);
  });
});

describe('the checker itself', () => {
  it('reads comments, not strings, regexes, templates or JSX text that look like them', () => {
    const code = [
      "const url = 'ws://x/docs/nowhere.md'; // docs/first.md",
      'const re = /^wss?:\\/\\//i; const t = `// docs/in-template.md`;',
      '/** docs/second.md */',
      'export const el = <p>// docs/in-jsx.md {/* docs/third.md */}</p>;',
    ].join('\n');
    const found = commentLines('probe.tsx', code).map((c) => `${c.line}:${c.text}`);
    expect(found).toEqual(['1:// docs/first.md', '3:/** docs/second.md */', '4:/* docs/third.md */']);
  });

  it("computes GitHub's heading slugs and reads explicit anchors", () => {
    const anchors = anchorsOf(
      '# A page\n## S1 An exception `inside` sip.js\n### <a id="s2"></a>S2 Two\n## A page\n```\n# not a heading\n```',
    );
    expect([...anchors]).toEqual(['a-page', 's1-an-exception-inside-sipjs', 's2', 's2-two', 'a-page-1']);
  });

  it('flags missing files and anchors with what is missing', () => {
    expect(checkDocsReference('docs/practice.md#p4', '')).toEqual([]);
    expect(checkDocsReference('docs/practice.md#p9', '')).toEqual(['docs/practice.md defines no anchor #p9']);
    expect(checkDocsReference('docs/sipjs-pitfalls.md', ', S99 says')).toEqual([
      'docs/sipjs-pitfalls.md defines no anchor #s99',
    ]);
    expect(checkDocsReference('docs/nowhere.md', '')).toEqual(['docs/nowhere.md does not exist']);
    expect(checkRepoPath('src/core/phone/phone.ts', ')')).toEqual([]);
    expect(checkRepoPath('src/core/phone/gone.ts.', '')).toEqual(['src/core/phone/gone.ts does not exist']);
    expect(checkRepoPath('src/core/storage/', '{history,callers}')).toEqual([]);
  });
});

describe('the docs', () => {
  const pages = () => [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];

  it('define every rule code as an anchor of docs/practice.md', () => {
    const defined = anchorsOfFile('docs/practice.md');
    expect(RULE_CODES.filter((code) => !defined.has(code.toLowerCase()))).toEqual([]);
  });

  it('link to pages, anchors and files that exist', () => {
    const problems: string[] = [];
    for (const page of pages()) {
      const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
      lines.forEach((text, index) => {
        for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z]+:/i.test(target)) continue;
          const [path = '', anchor] = target.split('#');
          const resolved = path ? relative(ROOT, resolve(ROOT, dirname(page), path)) : page;
          if (!exists(resolved)) problems.push(`${page}:${index + 1}: ${target} does not exist`);
          else if (anchor && !anchorsOfFile(resolved).has(anchor)) {
            problems.push(`${page}:${index + 1}: ${resolved} defines no anchor #${anchor}`);
          }
        }
      });
    }
    expect(problems, report(problems)).toEqual([]);
  });

  it('name src/, tests/, bench/ and scripts/ paths that exist', () => {
    const problems: string[] = [];
    for (const page of pages().filter((p) => p.startsWith('docs/'))) {
      const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
      lines.forEach((text, index) => {
        for (const [, span = ''] of text.matchAll(/`([^`]+)`/g)) {
          for (const match of span.matchAll(REPO_PATH)) {
            const after = span.slice(match.index + match[0].length);
            for (const problem of checkRepoPath(match[0], after)) problems.push(`${page}:${index + 1}: ${problem}`);
          }
        }
      });
    }
    expect(problems, report(problems)).toEqual([]);
  });
});
