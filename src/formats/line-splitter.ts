// Splits a byte stream into lines without decoding it, so input of any encoding
// passes through unchanged. Lines end at \n; a \r before it is dropped, as Java's
// readLine does.

/** Called with each line as a range of `buf`; returns false to stop. */
export type LineVisitor = (buf: Buffer, start: number, end: number) => boolean;

export class LineSplitter {
  private rest: Buffer | null = null;

  /** Returns the complete lines in `chunk` (views into it where possible). */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    this.scan(chunk, (buf, start, end) => {
      lines.push(buf.subarray(start, end));
      return true;
    });
    return lines;
  }

  /**
   * Visits the complete lines in `chunk` as ranges, making no object per line; false if
   * the visitor stopped (the rest of the chunk is then dropped).
   */
  scan(chunk: Buffer, visit: LineVisitor): boolean {
    let start = 0;
    if (this.rest) {
      // Only the line that straddles the chunks is joined, not the whole chunk.
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.rest = Buffer.concat([this.rest, chunk]);
        return true;
      }
      const joined = Buffer.concat([this.rest, chunk.subarray(0, nl + 1)]);
      this.rest = null;
      if (!visit(joined, 0, lineEnd(joined, 0, joined.length - 1))) return false;
      start = nl + 1;
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
    for (;;) {
      const nl = indexOfByte(chunk, view, start, chunk.length, 10);
      if (nl === -1) break;
      if (!visit(chunk, start, lineEnd(chunk, start, nl))) return false;
      start = nl + 1;
    }
    if (start < chunk.length) this.rest = Buffer.from(chunk.subarray(start));
    return true;
  }

  /** The last line, if the input did not end with a newline. */
  end(): Buffer | null {
    const r = this.rest;
    this.rest = null;
    if (r && r.length > 0 && r[r.length - 1] === 13) return r.subarray(0, r.length - 1);
    return r;
  }
}

/** Where the line ending at the newline `nl` ends, without a \r before it. */
function lineEnd(buf: Buffer, start: number, nl: number): number {
  return nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
}

/**
 * The first `byte` in buf[from, to), or -1; `view` is a DataView of `buf`. Four bytes at a
 * time in JavaScript: for lines of a hundred bytes, Buffer.indexOf's call costs more than
 * the search.
 */
export function indexOfByte(buf: Buffer, view: DataView, from: number, to: number, byte: number): number {
  const pattern = Math.imul(byte, 0x01010101);
  let i = from;
  for (const words = to - 3; i < words; i += 4) {
    const x = view.getInt32(i) ^ pattern;
    // Some byte of x is zero (Mycroft's test): the byte is in these four.
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
  }
  for (; i < to; i++) if (buf[i] === byte) return i;
  return -1;
}
