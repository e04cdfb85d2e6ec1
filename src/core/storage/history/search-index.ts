/**
 * An in-memory inverted index from words to call records, for "find past calls by
 * name and by words in notes" within 100 ms over five years of notes. A linear scan
 * over every note measured 50–100 ms for 125,000 notes in a prototype (too close to
 * the goal); the index measured p50 ≈ 6 ms, p99 ≈ 27 ms (bench/results/storage-*.md).
 * It is built per partition as partitions load and kept current on every note save,
 * so it is never written to disk and never has to be repaired after a crash. The
 * price is memory: with five years loaded the history index holds ~250 MB of heap,
 * in the index worker's heap rather than the main thread's (history-index-host.ts).
 *
 * Matching is by word prefix after folding: lower case, accents removed (`müller`
 * finds `Müller` and `Muller`), `ß` as `ss`. Records are ordinals handed out by the
 * owner (`HistoryIndex`); the index stores nothing else about them.
 */

const ASCII_ONLY = /^[\x20-\x7e\n\t]*$/;
const MAX_TOKEN_LENGTH = 48;
const FOLD_CACHE_LIMIT = 100_000;

/** Text folded for matching: lower case, no diacritics, `ß` → `ss`. */
export function foldText(text: string): string {
  if (ASCII_ONLY.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss');
}

// Per UTF-16 code unit: 1 = part of a word (letter, digit, combining mark), 2 = separator,
// 0 = not classified yet. Loading five years of notes tokenizes ~10 million words, so
// the per-character regex of a plain `split(/[^\p{L}\p{N}]+/u)` is replaced by this table.
const charClass = new Uint8Array(65_536);
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
for (let code = 0; code < 128; code += 1) {
  charClass[code] = (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90) ? 1 : 2;
}

function isWordChar(code: number): boolean {
  let kind = charClass[code];
  if (kind === 0) {
    // Surrogates (astral characters, emoji) separate words.
    kind = code >= 0xd800 && code <= 0xdfff ? 2 : WORD_CHAR.test(String.fromCharCode(code)) ? 1 : 2;
    charClass[code] = kind;
  }
  return kind === 1;
}

// Words repeat a lot; folding each distinct non-ASCII word once saves most of the work.
const foldCache = new Map<string, string>();

function foldWord(word: string): string {
  let folded = foldCache.get(word);
  if (folded === undefined) {
    if (foldCache.size >= FOLD_CACHE_LIMIT) foldCache.clear();
    folded = word
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .replace(/ß/g, 'ss');
    foldCache.set(word, folded);
  }
  return folded;
}

function addToken(tokens: Set<string>, word: string, ascii: boolean): void {
  const folded = ascii ? word : foldWord(word);
  // Folding may leave nothing (a word of marks only) or split nothing: keep letters and digits only.
  if (folded.length === 0) return;
  tokens.add(folded.length > MAX_TOKEN_LENGTH ? folded.slice(0, MAX_TOKEN_LENGTH) : folded);
}

/** The distinct folded words of `text` (letters and digits; everything else separates). */
export function tokenize(text: string): Set<string> {
  const lower = text.toLowerCase();
  const tokens = new Set<string>();
  let start = -1;
  let ascii = true;
  for (let i = 0; i <= lower.length; i += 1) {
    const code = i < lower.length ? lower.charCodeAt(i) : 32;
    if (isWordChar(code)) {
      if (start < 0) {
        start = i;
        ascii = true;
      }
      if (code >= 128) ascii = false;
    } else if (start >= 0) {
      addToken(tokens, lower.slice(start, i), ascii);
      start = -1;
    }
  }
  return tokens;
}

function bucketOf(term: string): string {
  return term.slice(0, 2);
}

/** Word → ordinals, with the vocabulary bucketed by its first two characters for prefix lookups. */
export class SearchIndex {
  private readonly postings = new Map<string, number[]>();
  private readonly buckets = new Map<string, Set<string>>();

  /** Number of distinct words indexed. */
  get termCount(): number {
    return this.postings.size;
  }

  /** Indexes `ordinal` under each of `tokens` (distinct, from `tokenize`). */
  add(ordinal: number, tokens: Iterable<string>): void {
    for (const token of tokens) {
      const list = this.postings.get(token);
      if (list) {
        // Bulk loads hand out rising ordinals, so the common case is a plain append.
        const last = list[list.length - 1] ?? -1;
        if (ordinal > last || (ordinal < last && !list.includes(ordinal))) list.push(ordinal);
        continue;
      }
      this.postings.set(token, [ordinal]);
      const bucket = bucketOf(token);
      let terms = this.buckets.get(bucket);
      if (!terms) {
        terms = new Set();
        this.buckets.set(bucket, terms);
      }
      terms.add(token);
    }
  }

  /** Removes `ordinal` from each of `tokens`; words left without records leave the vocabulary. */
  remove(ordinal: number, tokens: Iterable<string>): void {
    for (const token of tokens) {
      const list = this.postings.get(token);
      if (!list) continue;
      const at = list.lastIndexOf(ordinal);
      if (at < 0) continue;
      list.splice(at, 1);
      if (list.length === 0) {
        this.postings.delete(token);
        this.buckets.get(bucketOf(token))?.delete(token);
      }
    }
  }

  /** Moves `ordinal` from the words of `before` to the words of `after` (a note was edited). */
  update(ordinal: number, before: Set<string>, after: Set<string>): void {
    const gone: string[] = [];
    for (const token of before) if (!after.has(token)) gone.push(token);
    const added: string[] = [];
    for (const token of after) if (!before.has(token)) added.push(token);
    this.remove(ordinal, gone);
    this.add(ordinal, added);
  }

  /** Calls `visit` with every ordinal indexed under a word starting with `prefix` (may repeat). */
  forEachPrefixMatch(prefix: string, visit: (ordinal: number) => void): void {
    const terms =
      prefix.length >= 2
        ? this.buckets.get(bucketOf(prefix))
        : [...this.buckets.entries()].filter(([bucket]) => bucket.startsWith(prefix)).flatMap(([, set]) => [...set]);
    if (!terms) return;
    for (const term of terms) {
      if (!term.startsWith(prefix)) continue;
      const list = this.postings.get(term);
      if (list) for (const ordinal of list) visit(ordinal);
    }
  }
}
