import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyHttpStatus, classifyNetworkError, classifySmtpError, retryAfterMs } from './classify.ts';
import { checkRecipient, DeliveryFailure } from './types.ts';

describe('failure classification', () => {
  it('SMTP: 5xx permanent, 4xx transient, connection errors transient, a rejected envelope permanent', () => {
    assert.equal(classifySmtpError({ responseCode: 550, response: '550 5.1.1 no such user' }).kind, 'permanent');
    assert.equal(classifySmtpError({ responseCode: 451, response: '451 try later' }).kind, 'transient');
    assert.equal(classifySmtpError({ responseCode: 421 }).kind, 'transient');
    assert.equal(classifySmtpError({ code: 'ETIMEDOUT', message: 'Greeting never received' }).kind, 'transient');
    assert.equal(classifySmtpError({ code: 'ECONNECTION' }).kind, 'transient');
    assert.equal(classifySmtpError({ code: 'EENVELOPE', message: 'No recipients defined' }).kind, 'permanent');
  });

  it('HTTP providers: 429, 408 and 5xx transient, other 4xx permanent, Retry-After kept', () => {
    const tooMany = classifyHttpStatus('twilio', 429, '{"code":20429}', 3000);
    assert.equal(tooMany.kind, 'transient');
    assert.equal(tooMany.retryAfterMs, 3000);
    assert.equal(classifyHttpStatus('twilio', 503, '', null).kind, 'transient');
    assert.equal(classifyHttpStatus('whatsapp', 500, '', null).kind, 'transient');
    assert.equal(classifyHttpStatus('whatsapp', 408, '', null).kind, 'transient');
    assert.equal(classifyHttpStatus('twilio', 400, '{"code":21211,"message":"invalid To"}', null).kind, 'permanent');
    assert.equal(classifyHttpStatus('whatsapp', 401, '', null).kind, 'permanent');
    assert.equal(classifyNetworkError('twilio', Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })).kind, 'transient');
  });

  it('Retry-After in seconds or as a date', () => {
    assert.equal(retryAfterMs('2', 0), 2000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs(null, 0), null);
    assert.equal(retryAfterMs('soon', 0), null);
  });

  it('a malformed address fails permanently before any send', () => {
    assert.throws(() => checkRecipient('email', 'not-an-address'), (e: unknown) => e instanceof DeliveryFailure && e.kind === 'permanent');
    assert.throws(() => checkRecipient('sms', '98765'), (e: unknown) => e instanceof DeliveryFailure && e.kind === 'permanent');
    checkRecipient('email', 'ana@example.com');
    checkRecipient('whatsapp', '+919876543210');
  });
});
