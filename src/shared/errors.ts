// Coded errors: a stable machine code and a sentence a person can act on.

export const ERROR_CODES = [
  'FILE_NOT_FOUND',
  'FILE_EMPTY',
  'FILE_TOO_LARGE',
  'UNSUPPORTED_TYPE',
  'CORRUPT_IMAGE',
  'CORRUPT_VIDEO',
  'INVALID_ARGUMENT',
  'INVALID_PAYLOAD',
  'MODEL_INTEGRITY',
  'MODEL_MISSING',
  'ENGINE_FAILURE',
  'DATABASE_LOCKED',
  'DATABASE_CORRUPT',
  'DATABASE_FOREIGN',
  'NOT_A_FILE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'NETWORK_ERROR',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CodedErrorShape {
  code: ErrorCode;
  message: string;
}

export class CodedError extends Error implements CodedErrorShape {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CodedError';
  }

  toJSON(): CodedErrorShape {
    return { code: this.code, message: this.message };
  }
}

/** Any thrown value as a coded error; unknown failures never leak stack traces to callers. */
export function toCodedError(err: unknown): CodedErrorShape {
  if (err instanceof CodedError) return err.toJSON();
  return { code: 'INTERNAL', message: 'An unexpected error occurred.' };
}
