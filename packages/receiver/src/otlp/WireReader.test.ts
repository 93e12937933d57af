import { describe, expect, it } from 'vitest';
import { OtlpDecodeError } from './errors.js';
import { WireReader } from './WireReader.js';

function fixed64(ns: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(ns);
  return b;
}

function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

describe('WireReader', () => {
  it.each([0n, 999_999_999n, 1_000_000_000n, 1_767_225_600_123_456_789n, 1_767_225_600_999_999_999n, 18_446_744_073_709_551_615n])(
    'splits %s ns into seconds and nanoseconds exactly',
    (ns) => {
      expect(new WireReader(fixed64(ns)).fixed64Time()).toEqual([Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)]);
    },
  );

  it.each([0n, 1n, 300n, 2n ** 31n, 2n ** 32n + 5n, 2n ** 53n - 1n, -1n, -300n, -(2n ** 40n)])('reads the int64 varint %s', (n) => {
    expect(new WireReader(varint(n)).int64()).toBe(Number(n));
  });

  it('refuses truncated or overlong fields', () => {
    expect(() => new WireReader(Buffer.from([0x80, 0x80])).uint32()).toThrow(OtlpDecodeError);
    expect(() => new WireReader(Buffer.from([0x05, 0x61])).string()).toThrow('truncated message');
    expect(() => new WireReader(Buffer.alloc(11, 0xff)).uint32()).toThrow('varint longer than 10 bytes');
    expect(() => new WireReader(Buffer.from([0x07])).skip(7)).toThrow('invalid wire type 7');
  });

  it('skips every wire type, groups included', () => {
    // varint 150, fixed64, a 2-byte LEN, fixed32, then a group (field 1) holding a varint, then a marker byte.
    const r = new WireReader(Buffer.from([0x96, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0xaa, 0xbb, 1, 2, 3, 4, 0x08, 0x01, 0x0c, 0x2a]));
    r.skip(0);
    r.skip(1);
    r.skip(2);
    r.skip(5);
    r.skip(3);
    expect(r.uint32()).toBe(0x2a);
  });
});
