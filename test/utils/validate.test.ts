import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError } from '../../src/session/errors.js';
import { validate } from '../../src/utils/validate.js';

const schema = z.object({
  name: z.string().min(1, 'must be a non-empty string'),
  limits: z.object({ items: z.array(z.number().positive('must be positive')) }).optional(),
});

function catchError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error;
  }
  assert.fail('expected a throw');
}

void describe('validate', () => {
  void it('returns the parsed data', () => {
    assert.deepEqual(validate(schema, { name: 'x', extra: 1 }), { name: 'x' });
  });

  void it('names the dotted path and the value given', () => {
    const error = catchError(() => validate(schema, { name: 'x', limits: { items: [1, 2, -3] } }));
    assert.equal(error.code, 'ERR_INVALID_CONFIG');
    assert.equal(error.field, 'limits.items.2');
    assert.equal(error.value, -3);
    assert.equal(error.message, 'Invalid limits.items.2: must be positive; got -3');
  });

  void it('uses the option code when asked', () => {
    const error = catchError(() => validate(schema, { name: '' }, 'ERR_INVALID_OPTION'));
    assert.equal(error.code, 'ERR_INVALID_OPTION');
    assert.equal(error.field, 'name');
    assert.equal(error.value, '');
  });

  void it('gives undefined as the value when the path runs through a non-object', () => {
    const error = catchError(() => validate(z.object({ a: z.object({ b: z.string() }) }), { a: 5 }));
    assert.equal(error.field, 'a');
    assert.equal(error.value, 5);
    const missing = catchError(() => validate(schema, {}));
    assert.equal(missing.field, 'name');
    assert.equal(missing.value, undefined);
    assert.match(missing.message, /got undefined$/);
  });

  void it('reports a root failure as (root)', () => {
    const error = catchError(() => validate(schema, 'nope'));
    assert.equal(error.field, '(root)');
    assert.equal(error.value, 'nope');
  });
});
