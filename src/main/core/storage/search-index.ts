/**
 * An in-memory inverted index from words to call records, for "find past calls by
 * name and by words in notes" in well under 100 ms over five years of notes. A
 * linear scan over every note measured 50–100 ms at five years on the build machine
 * (too close to the goal); the index answers in a few milliseconds. It is built per
 * partition as partitions load and kept current on every note save, so it is never
 * written to disk and never has to be repaired after a crash.
 *
 * Matching is by word prefix after folding: lower case, accents removed (`müller`
 * finds `Müller` and `Muller`), `ß` as `ss`. Records are ordinals handed out by the
 * owner (`FileCallHistory`); the index stores nothing else about them.
 */

const ASCII_ONLY = /^[\x20-\x7e\n\t]*$/;
const MAX_TOKEN_LENGTH = 48;

/** Text folded for matching: lower case, no diacritics, `ß` → `ss`. */
export function foldText(text: string): string {
  if (ASCII_ONLY.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/ß/g, 'ss');
}

/** The distinct folded words of `text` (letters and digits; everything else separates). */
export function tokenize(text: string): Set<string> {
  const folded = foldText(text);
  const words = ASCII_ONLY.test(folded) ? folded.split(/[^a-z0-9]+/) : folded.split(/[^\p{L}\p{N}]+/u);
  const tokens = new Set<string>();
  for (const word of words) {
    if (word.length > 0) tokens.add(word.length > MAX_TOKEN_LENGTH ? word.slice(0, MAX_TOKEN_LENGTH) : word);
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
