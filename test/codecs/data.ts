// Deterministic test inputs shared by the codec tests and by the script that
// generated the committed fixtures (test/fixtures/codecs/make-fixtures.ts).
// Changing these generators invalidates the fixtures.

/** xorshift32 PRNG: a stable byte source that does not depend on Node's RNG. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export function randomBytes(n: number, seed = 1): Buffer {
  const r = prng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r() & 0xff;
  return b;
}

const EVENTS = ['click', 'view', 'purchase', 'login', 'logout', 'search', 'add_to_cart'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

/** Printable JSON-ish event records, one per line, about `n` bytes long. */
export function recordsText(n: number, seed = 7): Buffer {
  const r = prng(seed);
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const words = Array.from({ length: 1 + (r() % 6) }, () => WORDS[r() % WORDS.length]).join(' ');
    const line = `{"id":${i},"user":"user-${r() % 5000}","event":"${EVENTS[r() % EVENTS.length]}","ts":${1700000000000 + i * 37 + (r() % 1000)},"amount":${(r() % 100000) / 100},"note":"${words}"}\n`;
    parts.push(line);
    len += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}

/**
 * Binary data with structure: runs, repeated chunks, small varint-like
 * values and random stretches, so every byte value occurs.
 */
export function mixedBinary(n: number, seed = 11): Buffer {
  const r = prng(seed);
  const b = Buffer.alloc(n);
  let i = 0;
  while (i < n) {
    const kind = r() % 4;
    const len = Math.min(n - i, 16 + (r() % 400));
    if (kind === 0) {
      b.fill(r() & 0xff, i, i + len);
    } else if (kind === 1 && i > 1024) {
      const from = i - 1 - (r() % 1024);
      for (let k = 0; k < len; k++) b[i + k] = b[from + k];
    } else if (kind === 2) {
      for (let k = 0; k < len; k++) b[i + k] = (r() % 24) + ((r() & 7) === 0 ? 128 : 0);
    } else {
      for (let k = 0; k < len; k++) b[i + k] = r() & 0xff;
    }
    i += len;
  }
  return b;
}

/** Kafka-like record payload: printable keys and values (for the bench too). */
export function kafkaLikeRecords(n: number, seed = 3): Buffer {
  const r = prng(seed);
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const key = `key-${r() % 100000}`;
    const value = `{"order":${i},"customer":"cust-${r() % 20000}","sku":"SKU-${r() % 3000}","qty":${1 + (r() % 9)},"status":"${EVENTS[r() % EVENTS.length]}"}`;
    const rec = `${key}\t${value}\n`;
    parts.push(rec);
    len += rec.length;
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}

/** Random lowercase text followed by its 40-byte pieces, each followed by 'Q'. */
export function insertedText(n: number, seed = 5): Buffer {
  const r = prng(seed);
  const base = Buffer.alloc(n);
  for (let i = 0; i < n; i++) base[i] = 97 + (r() % 26);
  const parts = [base];
  for (let i = 0; i < n; i += 40) {
    parts.push(base.subarray(i, i + 40));
    parts.push(Buffer.from('Q'));
  }
  return Buffer.concat(parts);
}

/** Bytes 0..7 with a skewed distribution (a small Huffman alphabet). */
export function skewedNibbles(n: number, seed = 9): Buffer {
  const r = prng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const v = r() % 100;
    b[i] = v < 50 ? 0 : v < 75 ? 1 : v < 90 ? 2 : v < 97 ? 3 : 4 + (r() % 4);
  }
  return b;
}

/** Random letters from a 20-letter alphabet (compressible, few matches). */
export function letters(n: number, seed = 13): Buffer {
  const r = prng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 97 + (r() % 20);
  return b;
}

/** 'a' and 'b' picked by a multiplicative hash of the position. */
export function twoLetters(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 97 + ((Math.imul(i, 0x9e3779b1) >>> 28) & 1);
  return b;
}

/** The named fixture inputs. */
export const FIXTURE_INPUTS: Record<string, () => Buffer> = {
  empty: () => Buffer.alloc(0),
  small: () => recordsText(1000, 5),
  records: () => recordsText(150_000),
  records30k: () => recordsText(30_000, 21),
  binary: () => mixedBinary(40_000),
  random: () => randomBytes(20_000, 99),
  runs: () => Buffer.concat([recordsText(5_000), Buffer.alloc(300_000, 0x41), recordsText(2_000, 9)]),
  inserted: () => insertedText(8192),
  twoLetters: () => twoLetters(20_000),
  nibbles: () => skewedNibbles(3000),
  letters: () => letters(600),
};
