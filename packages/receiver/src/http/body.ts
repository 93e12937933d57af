import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';

/** A body the receiver will not read: the status to answer and why. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

const decoders = {
  gzip: promisify<Buffer, ZlibOptions, Buffer>(gunzip),
  deflate: promisify<Buffer, ZlibOptions, Buffer>(inflate),
  deflateRaw: promisify<Buffer, ZlibOptions, Buffer>(inflateRaw),
  br: promisify<Buffer, ZlibOptions, Buffer>(brotliDecompress),
};

/** Content-Encodings accepted: what Node decodes natively. The Collector's zstd, snappy and lz4 are not among them. */
export const ACCEPTED_ENCODINGS = ['identity', 'gzip', 'x-gzip', 'deflate', 'br'] as const;

/**
 * The body's content encoding, or a 415 BodyError naming what to configure instead. Unsupported
 * encodings get 415, which clients do not retry: retrying would never succeed.
 */
export function contentEncoding(header: string | undefined): (typeof ACCEPTED_ENCODINGS)[number] {
  const value = (header ?? 'identity').trim().toLowerCase() || 'identity';
  if ((ACCEPTED_ENCODINGS as readonly string[]).includes(value)) return value as (typeof ACCEPTED_ENCODINGS)[number];
  throw new BodyError(415, `Content-Encoding "${value}" is not supported; send gzip (the Collector's default: compression: gzip), deflate, br or none`);
}

/** Reads the raw body, refusing more than `maxBytes` on the wire (413) before buffering it all. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new BodyError(413, `body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        reject(new BodyError(413, `body exceeds the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      failed = true;
      reject(err);
    });
  });
}

/**
 * The decoded body, at most `maxBytes` after decompression (413 above it: a small gzip bomb must
 * not fill memory); a corrupt compressed body is a 400.
 */
export async function decompress(body: Buffer, encoding: (typeof ACCEPTED_ENCODINGS)[number], maxBytes: number): Promise<Buffer> {
  if (encoding === 'identity') return body;
  const options: ZlibOptions = { maxOutputLength: maxBytes };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return await decoders.gzip(body, options);
    if (encoding === 'br') return await decoders.br(body, options);
    // "deflate" is zlib-wrapped by the standard; some clients send raw deflate under that name.
    return await decoders.deflate(body, options).catch((err: unknown) => (isTooLarge(err) ? Promise.reject(err) : decoders.deflateRaw(body, options)));
  } catch (err) {
    if (isTooLarge(err)) throw new BodyError(413, `body exceeds the limit of ${maxBytes} bytes after decompression`);
    throw new BodyError(400, `body is not valid ${encoding} data: ${(err as Error).message}`);
  }
}

function isTooLarge(err: unknown): boolean {
  return err instanceof RangeError || (err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}
