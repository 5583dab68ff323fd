import { describe, expect, it } from 'vitest';
import { classify, WriteConflict, PoisonEventError, TransientError } from '../../../src/consumers/pipeline/failures.js';
import { DecodeError } from '../../../src/events/codec.js';

const pgError = (code: string, message = 'pg error') => Object.assign(new Error(message), { code });
const named = (name: string, message: string, extra: object = {}) =>
  Object.assign(new Error(message), { name, ...extra });

describe('classify', () => {
  it('calls the connection failures of pg and knex transient, with or without a SQLSTATE', () => {
    for (const error of [
      new Error('ROLLBACK - Client has encountered a connection error and is not queryable'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client was closed and is not queryable'),
      new Error('timeout exceeded when trying to connect'),
      named('KnexTimeoutError', 'Knex: Timeout acquiring a connection. The pool is probably full.'),
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is starting up'),
      pgError('08006', 'connection failure'),
      pgError('53300', 'too many connections'),
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      pgError('ECONNRESET', 'read ECONNRESET'),
      new Error('insert failed', { cause: pgError('ECONNRESET', 'read ECONNRESET') }),
      new AggregateError([pgError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432')], 'connect failed'),
      new TypeError('Cannot send: Connection terminated'),
    ]) {
      expect(classify(error), error.message).toBe('transient');
    }
  });

  it('calls every kafkajs error transient, even one that says it will not pass (retries exhausted)', () => {
    expect(classify(named('KafkaJSNumberOfRetriesExceeded', 'Number of retries exceeded', { retriable: false }))).toBe(
      'transient',
    );
    expect(classify(named('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED'))).toBe('transient');
    expect(
      classify(new Error('send failed', { cause: named('KafkaJSRequestTimeoutError', 'Request Produce timed out') })),
    ).toBe('transient');
  });

  it('calls serialization failures, deadlocks, unique races and concurrent writers conflicts', () => {
    for (const code of ['40001', '40P01', '23505', '55P03']) expect(classify(pgError(code))).toBe('conflict');
    expect(classify(new WriteConflict('pacing room taken'))).toBe('conflict');
  });

  it('calls the event at fault poison: undecodable, refused by its handler, a programming error, an unknown SQL error', () => {
    expect(classify(new DecodeError('corrupt-body', 'cannot decode'))).toBe('poison');
    expect(classify(new PoisonEventError('cursed'))).toBe('poison');
    expect(classify(new TypeError("Cannot read properties of undefined (reading 'adId')"))).toBe('poison');
    expect(classify(pgError('22P02', 'invalid input syntax for type uuid'))).toBe('poison');
    expect(classify('not an error')).toBe('poison');
  });

  it('honours an error that says it may pass', () => {
    expect(classify(new TransientError('Lobstr unavailable'))).toBe('transient');
  });
});
