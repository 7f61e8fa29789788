// Copying short byte ranges. Buffer.copy and set(subarray) cost a native call and a view
// object each, more than copying a hundred bytes; four bytes at a time through DataViews
// costs neither.

/** Below this many bytes the DataView loop wins. */
const SHORT = 128;

/** A DataView of `buf`, for copyRange. */
export function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/** The DataView of the last source copied from, made once per source: many records come from one batch or one input chunk. */
export class SourceView {
  private src: Uint8Array | null = null;
  private view: DataView | null = null;

  of(src: Uint8Array): DataView {
    if (src !== this.src) {
      this.src = src;
      this.view = viewOf(src);
    }
    return this.view!;
  }

  /** Lets go of the source, so that it is not kept alive. */
  clear(): void {
    this.src = null;
    this.view = null;
  }
}

/** Copies src[start, end) to dst at `p` (views as from viewOf); returns the position after. */
export function copyRange(
  dst: Uint8Array,
  dstView: DataView,
  p: number,
  src: Uint8Array,
  srcView: DataView,
  start: number,
  end: number,
): number {
  const n = end - start;
  if (n >= SHORT) {
    dst.set(src.subarray(start, end), p);
    return p + n;
  }
  let i = start;
  for (const words = end - 3; i < words; i += 4, p += 4) dstView.setInt32(p, srcView.getInt32(i));
  for (; i < end; i++) dst[p++] = src[i]!;
  return p;
}
