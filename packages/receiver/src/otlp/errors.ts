/** A request body that is not a valid OTLP trace request; answered with 400 and never retried. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}
