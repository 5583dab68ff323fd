import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { unavailableDependency } from '../../src/platform/infrastructureFailure.js';

const pgError = (code: string, message = 'pg error') => Object.assign(new Error(message), { code });
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('unavailableDependency', () => {
  it('names the database for the connection failures of pg and knex, wrapped or not', () => {
    for (const error of [
      new Error('BEGIN; - Connection terminated unexpectedly'),
      new Error('ROLLBACK - Client has encountered a connection error and is not queryable'),
      named('KnexTimeoutError', 'Knex: Timeout acquiring a connection. The pool is probably full.'),
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is starting up'),
      new Error('insert failed', { cause: pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432') }),
    ]) {
      expect(unavailableDependency(error), error.message).toBe('database');
    }
  });

  it('names the broker for a kafkajs error, even one wrapping a refused connection', () => {
    expect(unavailableDependency(named('KafkaJSNumberOfRetriesExceeded', 'Number of retries exceeded'))).toBe('broker');
    expect(
      unavailableDependency(
        new Error('replay failed', { cause: named('KafkaJSConnectionError', 'connect ECONNREFUSED 127.0.0.1:9092') }),
      ),
    ).toBe('broker');
  });

  it('says nothing of a bad request, a constraint or a programming error', () => {
    for (const error of [
      new ValidationError('body/price', 'must be a number'),
      pgError('23505', 'duplicate key value'),
      pgError('22P02', 'invalid input syntax'),
      new TypeError('x is undefined'),
      'a string',
    ])
      expect(unavailableDependency(error), String(error)).toBeUndefined();
  });
});
