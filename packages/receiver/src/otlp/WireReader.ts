import { OtlpDecodeError } from './errors.js';

/** Protobuf wire types. */
export const WIRE = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

const TWO_32 = 4_294_967_296;
/** 2^48 mod 1e9, for splitting a 64-bit nanosecond count without losing digits. */
const TWO_48_MOD_1E9 = (65_536 * 294_967_296) % 1e9;
const TWO_32_MOD_1E9 = 294_967_296;

/**
 * Reads the protobuf wire format (https://protobuf.dev/programming-guides/encoding/) from a
 * Buffer. Only what OTLP trace requests use; every read is bounds-checked and a malformed message
 * throws `OtlpDecodeError`, which the receiver answers with 400.
 */
export class WireReader {
  pos = 0;
  private readonly end: number;

  constructor(readonly buf: Buffer) {
    this.end = buf.length;
  }

  /**
   * Reads a length prefix and returns where that field's payload ends; the caller decodes the
   * payload up to there (no reader or array is allocated per nested message) and then calls
   * `close`. Nested messages are what OTLP is made of, so this is the hot path.
   */
  open(): number {
    const len = this.uint32();
    this.need(len);
    return this.pos + len;
  }

  /** Checks that a nested message's fields ended exactly where its length said. */
  close(end: number): void {
    if (this.pos !== end) throw new OtlpDecodeError('a field overruns its enclosing message');
  }

  /** A field tag: field number × 8 + wire type. */
  tag(): number {
    return this.uint32();
  }

  /** A varint truncated to its low 32 bits, unsigned. */
  uint32(): number {
    const buf = this.buf;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new OtlpDecodeError('truncated varint');
      const b = buf[this.pos++]!;
      if (shift < 32) result |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) return result >>> 0;
    }
    throw new OtlpDecodeError('varint longer than 10 bytes');
  }

  /** A varint read as a signed 64-bit integer, as the nearest double (exact below 2^53). */
  int64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new OtlpDecodeError('truncated varint');
      const b = buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (i * 7);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (i * 7 - 32);
      if (b < 0x80) return (hi | 0) * TWO_32 + (lo >>> 0);
    }
    throw new OtlpDecodeError('varint longer than 10 bytes');
  }

  /** A fixed32, unsigned. */
  fixed32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /**
   * A fixed64 count of nanoseconds as `[seconds, nanoseconds]`, exactly: the nanoseconds come from
   * modular arithmetic on 16-bit pieces (every product stays below 2^53), and the seconds from the
   * rounded double, whose error (≤ 128 ns) is far below half a second.
   */
  fixed64Time(): [number, number] {
    this.need(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    const nanos = ((hi >>> 16) * TWO_48_MOD_1E9 + (hi & 0xffff) * TWO_32_MOD_1E9 + lo) % 1e9;
    const seconds = Math.round((hi * TWO_32 + lo - nanos) / 1e9);
    return [seconds, nanos];
  }

  /** A double. */
  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A length-delimited UTF-8 string. */
  string(): string {
    return this.text('utf8');
  }

  /** A length-delimited field as lowercase hex (ids). */
  hex(): string {
    return this.text('hex');
  }

  /** A length-delimited field as base64 (bytes attribute values). */
  base64(): string {
    return this.text('base64');
  }

  private text(encoding: 'utf8' | 'hex' | 'base64'): string {
    const end = this.open();
    const start = this.pos;
    this.pos = end;
    return this.buf.toString(encoding, start, end);
  }

  /** Skips a field of the given wire type: unknown fields are ignored, as proto3 requires. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE.VARINT:
        this.uint32();
        return;
      case WIRE.I64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE.LEN:
        this.pos = this.open();
        return;
      case WIRE.I32:
        this.need(4);
        this.pos += 4;
        return;
      case WIRE.SGROUP:
        for (let t = this.tag(); (t & 7) !== WIRE.EGROUP; t = this.tag()) this.skip(t & 7);
        return;
      default:
        throw new OtlpDecodeError(`invalid wire type ${wireType}`);
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new OtlpDecodeError('truncated message');
  }
}
