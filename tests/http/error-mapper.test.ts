import { expect } from 'chai';
import * as errors from '../../core/shared/entities/errors.js';
import type { DomainError, DomainErrorTag } from '../../core/shared/entities/errors.js';
import { ERROR_TABLE, toHttpError } from '../../adapters/http/error-mapper.js';

describe('error mapper', () => {
  const cases: [DomainError, number, string][] = [
    [errors.notFound(), 404, 'NOT_FOUND'],
    [errors.conflict('taken'), 409, 'CONFLICT'],
    [errors.forbidden(), 403, 'FORBIDDEN'],
    [errors.unauthenticated(), 401, 'UNAUTHENTICATED'],
    [errors.invalidField('email', 'must be an email address'), 422, 'VALIDATION_ERROR'],
    [errors.businessRule('cannot book a cancelled slot'), 409, 'CONFLICT'],
    [errors.preconditionFailed(), 412, 'PRECONDITION_FAILED'],
    [errors.tooLarge('quota exceeded'), 413, 'PAYLOAD_TOO_LARGE'],
    [errors.unsupportedContent('not an image'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [errors.rateLimited(30), 429, 'RATE_LIMITED'],
  ];

  it('covers every tag of DomainError', () => {
    const tags = cases.map(([e]) => e._tag).sort();
    expect(tags).to.deep.equal((Object.keys(ERROR_TABLE) as DomainErrorTag[]).sort());
  });

  for (const [error, status, code] of cases) {
    it(`maps ${error._tag} to ${status} ${code}`, () => {
      const mapped = toHttpError(error);
      expect(mapped).to.include({ status, code, message: error.message });
    });
  }

  it('carries field issues as detail for validation errors only', () => {
    expect(toHttpError(errors.invalidField('a.b', 'bad')).detail).to.deep.equal([{ field: 'a.b', message: 'bad' }]);
    expect(toHttpError(errors.notFound())).not.to.have.property('detail');
  });
});
