import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from './crc32.js';
import { ClickHouseConfigError } from './errors.js';

/**
 * The disk spool of the span queue: append-only segment files in one directory.
 *
 * Format. Segments are named `<16-digit number>.seg` and only ever appended to. Each holds
 * records: a 13-byte header (the bytes `GCS1`, a type byte, the payload length and the CRC-32 of
 * the payload, both unsigned 32-bit little-endian) and the payload. Type 1 is a batch: a JSON
 * line `{"id","token","at","rejects"}` and then the batch's rows, one JSONCompactEachRow line each.
 * Type 2 acknowledges batches that need no sending any more (stored, dead-lettered or dropped):
 * their ids, comma-separated.
 *
 * Writing. A batch is acknowledged to the caller once its record is written and, with `sync`
 * (the default), `fdatasync`ed; batches queued in the same tick share one write and one sync.
 * Acknowledgements are written without a sync: a lost one only replays a batch, which ClickHouse
 * then deduplicates by its token. A segment is closed at `segmentBytes` and deleted once it and
 * every older segment hold no batch waiting to be sent.
 *
 * Reading at start. Segments are read oldest first; a record whose header or checksum is wrong
 * (a write torn by a crash, a damaged disk) ends the reading of its segment, and the bytes skipped
 * are reported. Writing always continues in a new segment. A `LOCK` file with the owner's pid keeps
 * two live processes off one directory; the lock of a dead process is taken over.
 */

const MAGIC = Buffer.from('GCS1');
const HEADER_BYTES = 13;
const BATCH = 1;
const ACKS = 2;
const SEGMENT_NAME = /^(\d{16})\.seg$/;

/** A row the sanitiser refused, kept with the batch until it is in the dead-letter table. */
export interface RejectRecord {
  traceId: string;
  spanId: string;
  reason: string;
  /** The row as JSON. */
  row: string;
}

/** A batch as the spool stores it. */
export interface SpoolBatch {
  id: number;
  token: string;
  enqueuedAt: number;
  lines: string[];
  rejects: RejectRecord[];
}

/** Where a batch record is. */
export interface SpoolLocation {
  segment: number;
  offset: number;
  length: number;
}

/** A batch found at start; `lines` is undefined when it was left on disk to keep memory within its bound. */
export interface RecoveredBatch {
  batch: Omit<SpoolBatch, 'lines'> & { lines: string[] | undefined; spans: number; bytes: number };
  location: SpoolLocation;
}

/** Options of {@link Spool.open}. */
export interface SpoolOptions {
  dir: string;
  segmentBytes: number;
  sync: boolean;
  /** Bytes of batch rows to keep in memory while reading at start; the rest is read back when sent. */
  memoryBytes: number;
}

interface Segment {
  /** Batches in it not yet acknowledged. */
  live: number;
  bytes: number;
}

interface PendingWrite {
  record: Buffer;
  isBatch: boolean;
  done?: (result: SpoolLocation | Error) => void;
}

/** The payload of a batch record. */
export function encodeBatch(batch: SpoolBatch): Buffer {
  const head = JSON.stringify({ id: batch.id, token: batch.token, at: batch.enqueuedAt, rejects: batch.rejects });
  return Buffer.from(batch.lines.length === 0 ? head : `${head}\n${batch.lines.join('\n')}`, 'utf8');
}

function decodeBatch(payload: Buffer): SpoolBatch {
  const text = payload.toString('utf8');
  const nl = text.indexOf('\n');
  const head = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as { id: number; token: string; at: number; rejects: RejectRecord[] };
  return { id: head.id, token: head.token, enqueuedAt: head.at, rejects: head.rejects, lines: nl < 0 ? [] : text.slice(nl + 1).split('\n') };
}

function frame(type: number, payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt8(type, 4);
  header.writeUInt32LE(payload.length, 5);
  header.writeUInt32LE(crc32(payload), 9);
  return Buffer.concat([header, payload]);
}

/** The records of a segment up to the first damaged one, and how many bytes were left unread. */
function* records(data: Buffer): Generator<{ type: number; payload: Buffer; offset: number } | { corruptBytes: number }> {
  let offset = 0;
  while (offset < data.length) {
    const ok = offset + HEADER_BYTES <= data.length && data.subarray(offset, offset + 4).equals(MAGIC);
    const length = ok ? data.readUInt32LE(offset + 5) : 0;
    const end = offset + HEADER_BYTES + length;
    if (!ok || end > data.length || crc32(data.subarray(offset + HEADER_BYTES, end)) !== data.readUInt32LE(offset + 9)) {
      yield { corruptBytes: data.length - offset };
      return;
    }
    yield { type: data.readUInt8(offset + 4), payload: data.subarray(offset + HEADER_BYTES, end), offset };
    offset = end;
  }
}

function segmentPath(dir: string, n: number): string {
  return join(dir, `${String(n).padStart(16, '0')}.seg`);
}

function takeLock(dir: string): string {
  const path = join(dir, 'LOCK');
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return path;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const owner = Number(readFileSync(path, 'utf8'));
  if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
    throw new ClickHouseConfigError(`option "spoolDir": ${dir} is in use by process ${owner}; give each process its own spool directory`);
  }
  writeFileSync(path, String(process.pid));
  return path;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The append-only disk spool; see the file comment for the format and the sync policy. */
export class Spool {
  /** Bytes damaged or torn found at start and skipped. */
  readonly corruptBytes: number;
  private readonly segments = new Map<number, Segment>();
  private current: number;
  private handle: FileHandle | undefined;
  private writes: PendingWrite[] = [];
  private writing: Promise<void> | undefined;
  private pendingBytes = 0;
  private closed = false;

  private constructor(
    private readonly options: SpoolOptions,
    private readonly lockPath: string,
    corruptBytes: number,
    lastSegment: number,
  ) {
    this.corruptBytes = corruptBytes;
    this.current = lastSegment + 1;
  }

  /**
   * Opens (creating) the directory, takes its lock and reads the batches still to send, oldest
   * first. Synchronous, so a constructor can report a directory it cannot use; throws
   * `ClickHouseConfigError` when another live process holds the directory.
   */
  static open(options: SpoolOptions): { spool: Spool; recovered: RecoveredBatch[]; nextId: number } {
    mkdirSync(options.dir, { recursive: true });
    const lockPath = takeLock(options.dir);
    const numbers = readdirSync(options.dir)
      .map((f) => SEGMENT_NAME.exec(f))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const found = new Map<number, RecoveredBatch>();
    const sizes = new Map<number, number>();
    let corrupt = 0;
    let maxId = 0;
    let memory = options.memoryBytes;
    for (const n of numbers) {
      const data = readFileSync(segmentPath(options.dir, n));
      sizes.set(n, data.length);
      for (const r of records(data)) {
        if ('corruptBytes' in r) {
          corrupt += r.corruptBytes;
          break;
        }
        if (r.type === ACKS) {
          for (const id of r.payload.toString('utf8').split(',')) {
            found.delete(Number(id));
            maxId = Math.max(maxId, Number(id));
          }
        } else if (r.type === BATCH) {
          const b = decodeBatch(r.payload);
          maxId = Math.max(maxId, b.id);
          const keep = memory >= r.payload.length;
          if (keep) memory -= r.payload.length;
          found.set(b.id, {
            batch: { ...b, lines: keep ? b.lines : undefined, spans: b.lines.length + b.rejects.length, bytes: r.payload.length },
            location: { segment: n, offset: r.offset, length: HEADER_BYTES + r.payload.length },
          });
        }
      }
    }
    const spool = new Spool(options, lockPath, corrupt, numbers.at(-1) ?? 0);
    const recovered = [...found.values()].sort((a, b) => a.batch.id - b.batch.id);
    for (const n of numbers) spool.segments.set(n, { live: 0, bytes: sizes.get(n)! });
    for (const r of recovered) spool.segments.get(r.location.segment)!.live++;
    // Writing goes on in a new segment, so every older one without a waiting batch can go now.
    for (const n of numbers) {
      if (spool.segments.get(n)!.live > 0) break;
      spool.segments.delete(n);
      unlinkSync(segmentPath(options.dir, n));
    }
    return { spool, recovered, nextId: maxId + 1 };
  }

  /** Bytes the spool's segments take on disk, with writes not yet done. */
  get diskBytes(): number {
    let total = this.pendingBytes;
    for (const s of this.segments.values()) total += s.bytes;
    return total;
  }

  /** Bytes a batch record of this payload size takes. */
  static recordBytes(payloadBytes: number): number {
    return HEADER_BYTES + payloadBytes;
  }

  /** Appends a batch record; resolves once it is written (and synced, with `sync`). */
  append(payload: Buffer): Promise<SpoolLocation> {
    if (this.closed) return Promise.reject(new Error('the spool is closed'));
    return new Promise((resolve, reject) => {
      const record = frame(BATCH, payload);
      this.pendingBytes += record.length;
      this.writes.push({ record, isBatch: true, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      this.schedule();
    });
  }

  /** Records that these batches need no sending any more; their segments are deleted when nothing older is waiting. */
  ack(batches: ReadonlyArray<{ id: number; location: SpoolLocation }>): void {
    if (batches.length === 0 || this.closed) return;
    for (const b of batches) {
      const segment = this.segments.get(b.location.segment);
      if (segment !== undefined) segment.live--;
    }
    const record = frame(ACKS, Buffer.from(batches.map((b) => b.id).join(','), 'utf8'));
    this.pendingBytes += record.length;
    this.writes.push({ record, isBatch: false });
    this.schedule();
  }

  /** Reads a batch back from disk. */
  async read(location: SpoolLocation): Promise<SpoolBatch> {
    const fh = await open(segmentPath(this.options.dir, location.segment), 'r');
    try {
      const data = Buffer.alloc(location.length);
      await fh.read(data, 0, location.length, location.offset);
      const r = records(data).next().value;
      if (r === undefined || 'corruptBytes' in r || r.type !== BATCH) throw new Error(`spool record at ${location.segment}:${location.offset} is damaged`);
      return decodeBatch(r.payload);
    } finally {
      await fh.close();
    }
  }

  /** Waits for the writes queued so far. */
  async drain(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  /** Writes what is queued, closes the segment and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    await this.handle?.close();
    this.handle = undefined;
    try {
      unlinkSync(this.lockPath);
    } catch {
      // Already gone: nothing holds the directory.
    }
  }

  private schedule(): void {
    this.writing ??= this.writeLoop().finally(() => {
      this.writing = undefined;
      // A write queued after the loop's last look but before this callback would wait for the next one.
      if (this.writes.length > 0) this.schedule();
    });
  }

  private async writeLoop(): Promise<void> {
    // Let the rest of this tick queue its writes, so they share one write and one sync.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.writes.length > 0) {
      const batch = this.writes;
      this.writes = [];
      try {
        await this.writeRecords(batch);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const w of batch) w.done?.(error);
      }
      await this.collect();
    }
  }

  private async writeRecords(batch: PendingWrite[]): Promise<void> {
    let segment = this.segments.get(this.current);
    if (this.handle === undefined || segment === undefined || segment.bytes >= this.options.segmentBytes) {
      await this.handle?.close();
      if (segment !== undefined) this.current++;
      this.handle = await open(segmentPath(this.options.dir, this.current), 'a');
      segment = { live: 0, bytes: 0 };
      this.segments.set(this.current, segment);
      if (this.options.sync) await syncDirectory(this.options.dir);
    }
    const locations: SpoolLocation[] = [];
    let offset = segment.bytes;
    for (const w of batch) {
      locations.push({ segment: this.current, offset, length: w.record.length });
      offset += w.record.length;
    }
    const bytes = offset - segment.bytes;
    try {
      await this.handle.writev(batch.map((w) => w.record));
      if (this.options.sync && batch.some((w) => w.isBatch)) await this.handle.datasync();
    } finally {
      this.pendingBytes -= bytes;
    }
    segment.bytes = offset;
    batch.forEach((w, i) => {
      if (w.isBatch) segment.live++;
      w.done?.(locations[i]!);
    });
  }

  /** Deletes the oldest segments while they hold no batch waiting to be sent. */
  private async collect(): Promise<void> {
    for (const [n, segment] of [...this.segments].sort((a, b) => a[0] - b[0])) {
      if (segment.live > 0 || n === this.current) return;
      this.segments.delete(n);
      await unlink(segmentPath(this.options.dir, n)).catch(() => undefined);
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
