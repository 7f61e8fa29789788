// Splits a byte stream into lines without decoding it, so input of any encoding
// passes through unchanged. Lines end at \n; a \r before it is dropped, as Java's
// readLine does.

export class LineSplitter {
  private rest: Buffer | null = null;

  /** Returns the complete lines in `chunk` (views into it where possible). */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let data = chunk;
    if (this.rest) {
      data = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let start = 0;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl === -1) break;
      const end = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
      lines.push(data.subarray(start, end));
      start = nl + 1;
    }
    if (start < data.length) this.rest = Buffer.from(data.subarray(start));
    return lines;
  }

  /** The last line, if the input did not end with a newline. */
  end(): Buffer | null {
    const r = this.rest;
    this.rest = null;
    if (r && r.length > 0 && r[r.length - 1] === 13) return r.subarray(0, r.length - 1);
    return r;
  }
}
