// One partition's fetched records, one at a time, for the console consumer's loop: either
// decoded records that are filtered and rendered, or records walked in place in their
// batch and written as the bytes they are. The loop applies the limits the same way to both.
import type { FetchedPartition, FetchedRecord, RawRecords } from '../client/fetcher.js';
import type { OutputSink } from '../formats/output-sink.js';
import { writeRawLine, type RawLineFormat } from '../formats/raw-lines.js';
import { RecordCursor } from '../protocol/record-batch.js';
import type { ConsumeFilter, Render, SinkRecord } from './console-consumer.js';

export interface RecordWalk {
  /** Moves to the next record; false past the last. */
  next(): boolean;
  readonly offset: number;
  readonly timestamp: number;
  /** Puts the current record in the sink; false when the filter drops it, and then it does not count. */
  write(out: OutputSink): boolean;
}

/** Records as their batches hold them: no object per record. */
export class RawWalk implements RecordWalk {
  private cursor: RecordCursor | null = null;
  private batch = 0;

  constructor(
    private readonly raw: RawRecords,
    private readonly format: RawLineFormat,
  ) {}

  next(): boolean {
    for (;;) {
      const c = this.cursor;
      if (c !== null && c.next()) {
        // A fetch starts at the batch holding the position; what precedes it was read before.
        if (c.offset >= this.raw.from) return true;
        continue;
      }
      if (this.batch >= this.raw.batches.length) return false;
      const { header, body } = this.raw.batches[this.batch++]!;
      this.cursor = new RecordCursor(body, header);
    }
  }

  get offset(): number {
    return this.cursor!.offset;
  }

  get timestamp(): number {
    return this.cursor!.timestamp;
  }

  write(out: OutputSink): boolean {
    writeRawLine(this.cursor!, this.format, out);
    return true;
  }
}

/** Decoded records, for lines that need more than the bytes (a filter, a deserializer, JSON). */
export class DecodedWalk implements RecordWalk {
  private readonly records: readonly FetchedRecord[];
  private i = -1;
  private r: FetchedRecord | undefined;

  constructor(
    private readonly part: FetchedPartition,
    private readonly filter: ConsumeFilter,
    private readonly render: Render,
  ) {
    this.records = part.records;
  }

  next(): boolean {
    this.r = this.records[++this.i];
    return this.r !== undefined;
  }

  get offset(): number {
    return this.r!.offset;
  }

  get timestamp(): number {
    return this.r!.timestamp;
  }

  write(out: OutputSink): boolean {
    const r = this.r!;
    if (!matches(r, this.filter)) return false;
    const rec = r as SinkRecord;
    rec.topic = this.part.topic;
    rec.partition = this.part.partition;
    const line = this.render(rec);
    if (line !== null) out.add(line);
    return true;
  }
}

export function matches(r: FetchedRecord, f: ConsumeFilter): boolean {
  if (f.key && (!r.key || !r.key.equals(f.key))) return false;
  if (f.headers) {
    for (const want of f.headers) {
      if (!r.headers.some((h) => h.key === want.key && h.value !== null && h.value.equals(want.value))) return false;
    }
  }
  if (f.grep && !f.grep.test(r.value ? r.value.toString('utf8') : '')) return false;
  return true;
}
