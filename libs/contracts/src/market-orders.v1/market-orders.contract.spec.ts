import { ContractViolation } from '../contract';
import { exampleFillEvent, exampleOrderEvent, violationOf } from '../testing';
import { marketOrdersContract as contract } from './market-orders.contract';

const order = () => exampleOrderEvent();
const fill = () => exampleFillEvent();
/** The example with some fields replaced; `undefined` removes a field. */
function withFields(base: object, patch: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base, ...patch };
  for (const key of Object.keys(patch)) if (patch[key] === undefined) delete result[key];
  return result;
}

describe('market.orders.v1 contract', () => {
  describe('accepts valid events of every eventType', () => {
    it.each<[string, Record<string, unknown>]>([
      ['NEW LIMIT', withFields(order(), {})],
      ['NEW MARKET without price', withFields(order(), { orderType: 'MARKET', price: undefined })],
      ['NEW MARKET with a protection price', withFields(order(), { orderType: 'MARKET', price: 99 })],
      ['AMEND LIMIT', withFields(order(), { eventType: 'AMEND', quantity: 300, price: 101.25 })],
      ['AMEND MARKET', withFields(order(), { eventType: 'AMEND', orderType: 'MARKET', price: undefined })],
      ['CANCEL with only the common fields', withFields(order(), { eventType: 'CANCEL', orderType: undefined, price: undefined, quantity: undefined })],
      ['REJECT', withFields(order(), { eventType: 'REJECT', orderType: undefined, price: undefined, quantity: undefined })],
      ['EXPIRE', withFields(order(), { eventType: 'EXPIRE' })],
      ['FILL closing the order as aggressor', withFields(fill(), {})],
      ['FILL partial, passive', withFields(fill(), { leavesQty: 250, fillQty: 250, aggressor: false })],
      ['FILL without aggressor', withFields(fill(), { aggressor: undefined })],
      ['SELL side', withFields(order(), { side: 'SELL' })],
      ['ts without fraction', withFields(order(), { ts: '2026-03-02T14:30:00Z' })],
      ['ts with 9 fractional digits', withFields(order(), { ts: '2026-03-02T14:30:00.123456789Z' })],
      ['ts on a leap day', withFields(order(), { ts: '2024-02-29T23:59:59.999Z' })],
      ['eventId of 128 characters', withFields(order(), { eventId: 'e'.repeat(128) })],
      ['no traderId', withFields(order(), { traderId: undefined })],
      ['fractional quantities', withFields(order(), { quantity: 0.0001, price: 0.00005 })],
    ])('%s', (_name, input) => {
      const parsed = contract.parse(input);
      expect(parsed).toEqual({ ...input, beneficialOwnerId: input['beneficialOwnerId'] ?? input['accountId'] });
    });
  });

  it('fills beneficialOwnerId with accountId when absent, and keeps one that is given', () => {
    expect(contract.parse(withFields(order(), { beneficialOwnerId: undefined, accountId: 'ACC-9' })).beneficialOwnerId).toBe('ACC-9');
    expect(contract.parse(withFields(order(), { beneficialOwnerId: 'OWNER-1' })).beneficialOwnerId).toBe('OWNER-1');
  });

  it('treats null optional fields as absent', () => {
    const parsed = contract.parse(withFields(order(), { traderId: null, beneficialOwnerId: null }));
    expect(parsed).not.toHaveProperty('traderId');
    expect(parsed.beneficialOwnerId).toBe(parsed.accountId);
  });

  it('tolerates unknown fields but keeps them out of the typed value', () => {
    const parsed = contract.parse(withFields(order(), { venueSequence: 17, extra: { a: 1 } }));
    expect(parsed).not.toHaveProperty('venueSequence');
    expect(parsed).not.toHaveProperty('extra');
  });

  it('parses its own output to an equal value', () => {
    const once = contract.parse(withFields(fill(), { beneficialOwnerId: undefined }));
    expect(contract.parse(once)).toEqual(once);
  });

  it('narrows on eventType to the fields that type requires', () => {
    const event = contract.parse(fill());
    if (event.eventType !== 'FILL') throw new Error('expected a FILL');
    const filled: number = event.fillQty + event.leavesQty;
    expect(filled).toBe(500);
  });

  it('keys every event by instrument', () => {
    expect(contract.keyOf(contract.parse(withFields(order(), { instrument: 'US0378331005' })))).toBe('US0378331005');
    expect(contract.keyOf(contract.parse(fill()))).toBe('GB00B03MLX29');
  });

  describe('rejects what CONTRACTS.md rejects, naming the field', () => {
    it.each<[string, unknown, string, RegExp]>([
      ['missing eventId', withFields(order(), { eventId: undefined }), 'eventId', /^is required$/],
      ['empty eventId', withFields(order(), { eventId: '' }), 'eventId', /must not be empty/],
      ['blank venue', withFields(order(), { venue: '   ' }), 'venue', /must not be blank/],
      ['eventId over 128 characters', withFields(order(), { eventId: 'e'.repeat(129) }), 'eventId', /at most 128 characters .*got 129/],
      ['numeric eventId', withFields(order(), { eventId: 42 }), 'eventId', /must be a string \(got number\)/],
      ['missing eventType', withFields(order(), { eventType: undefined }), 'eventType', /^is required$/],
      ['unknown eventType', withFields(order(), { eventType: 'TRADE' }), 'eventType', /must be one of NEW, AMEND, CANCEL, FILL, REJECT, EXPIRE \(got "TRADE"\)/],
      ['lowercase eventType', withFields(order(), { eventType: 'new' }), 'eventType', /must be one of/],
      ['missing ts', withFields(order(), { ts: undefined }), 'ts', /^is required$/],
      ['epoch-millis ts', withFields(order(), { ts: 1772461800000 }), 'ts', /must be a string \(got number\)/],
      ['ts with a space', withFields(order(), { ts: '2026-03-02 14:30:00Z' }), 'ts', /RFC 3339 UTC timestamp ending in Z/],
      ['ts without zone', withFields(order(), { ts: '2026-03-02T14:30:00' }), 'ts', /RFC 3339 UTC timestamp ending in Z/],
      ['ts with lowercase z', withFields(order(), { ts: '2026-03-02T14:30:00z' }), 'ts', /RFC 3339/],
      ['ts with an offset', withFields(order(), { ts: '2026-03-02T14:30:00+00:00' }), 'ts', /must be in UTC with the suffix Z/],
      ['ts with 10 fractional digits', withFields(order(), { ts: '2026-03-02T14:30:00.1234567890Z' }), 'ts', /10 fractional-second digits; at most 9/],
      ['ts on 30 February', withFields(order(), { ts: '2026-02-30T00:00:00Z' }), 'ts', /2026-02 has no day 30/],
      ['ts on 29 February of a common year', withFields(order(), { ts: '2025-02-29T00:00:00Z' }), 'ts', /has no day 29/],
      ['ts on 31 April', withFields(order(), { ts: '2026-04-31T00:00:00Z' }), 'ts', /has no day 31/],
      ['ts in month 13', withFields(order(), { ts: '2026-13-01T00:00:00Z' }), 'ts', /month 13 does not exist/],
      ['ts at hour 24', withFields(order(), { ts: '2026-03-02T24:00:00Z' }), 'ts', /hour 24/],
      ['ts at minute 60', withFields(order(), { ts: '2026-03-02T23:60:00Z' }), 'ts', /minute 60/],
      ['ts on a leap second', withFields(order(), { ts: '2026-06-30T23:59:60Z' }), 'ts', /leap seconds are not accepted/],
      ['ts of garbage', withFields(order(), { ts: 'yesterday' }), 'ts', /RFC 3339/],
      ['missing venue', withFields(order(), { venue: undefined }), 'venue', /^is required$/],
      ['missing instrument', withFields(order(), { instrument: undefined }), 'instrument', /^is required$/],
      ['empty orderId', withFields(order(), { orderId: '' }), 'orderId', /must not be empty/],
      ['null accountId', withFields(order(), { accountId: null }), 'accountId', /is required \(got null\)/],
      ['numeric traderId', withFields(order(), { traderId: 7 }), 'traderId', /must be a string \(got number\)/],
      ['empty beneficialOwnerId', withFields(order(), { beneficialOwnerId: '' }), 'beneficialOwnerId', /must not be empty/],
      ['missing side', withFields(order(), { side: undefined }), 'side', /^is required$/],
      ['lowercase side', withFields(order(), { side: 'buy' }), 'side', /must be one of BUY, SELL \(got "buy"\)/],
      ['NEW without orderType', withFields(order(), { orderType: undefined }), 'orderType', /is required for a NEW event/],
      ['AMEND without orderType', withFields(order(), { eventType: 'AMEND', orderType: undefined }), 'orderType', /is required for an AMEND event/],
      ['unknown orderType', withFields(order(), { orderType: 'STOP' }), 'orderType', /must be one of LIMIT, MARKET/],
      ['LIMIT NEW without price', withFields(order(), { price: undefined }), 'price', /is required for a LIMIT NEW order/],
      ['LIMIT AMEND without price', withFields(order(), { eventType: 'AMEND', price: undefined }), 'price', /is required for a LIMIT AMEND order/],
      ['LIMIT NEW with price 0', withFields(order(), { price: 0 }), 'price', /^must be > 0 for a LIMIT NEW order \(got number\)$/],
      ['LIMIT NEW with a negative price', withFields(order(), { price: -101.5 }), 'price', /must be > 0 for a LIMIT NEW order/],
      ['MARKET NEW with a negative price', withFields(order(), { orderType: 'MARKET', price: -1 }), 'price', /^must be > 0 \(got number\)$/],
      ['price as a numeric string', withFields(order(), { price: '12.5' }), 'price', /must be a number, not a number inside a string \(got string\)/],
      ['price as a word', withFields(order(), { price: 'high' }), 'price', /must be a number \(got string\)/],
      ['price NaN', withFields(order(), { price: Number.NaN }), 'price', /must be a finite number \(got NaN\)/],
      ['price Infinity', withFields(order(), { price: Number.POSITIVE_INFINITY }), 'price', /must be a finite number \(got Infinity\)/],
      ['NEW without quantity', withFields(order(), { quantity: undefined }), 'quantity', /is required for a NEW event/],
      ['AMEND without quantity', withFields(order(), { eventType: 'AMEND', quantity: undefined }), 'quantity', /is required for an AMEND event/],
      ['quantity 0', withFields(order(), { quantity: 0 }), 'quantity', /^must be > 0 \(got number\)$/],
      ['negative quantity', withFields(order(), { quantity: -5 }), 'quantity', /must be > 0/],
      ['quantity as a string', withFields(order(), { quantity: '500' }), 'quantity', /must be a number/],
      ['FILL without fillQty', withFields(fill(), { fillQty: undefined }), 'fillQty', /is required for a FILL event/],
      ['FILL without fillPrice', withFields(fill(), { fillPrice: undefined }), 'fillPrice', /is required for a FILL event/],
      ['FILL without tradeId', withFields(fill(), { tradeId: undefined }), 'tradeId', /is required for a FILL event/],
      ['FILL without leavesQty', withFields(fill(), { leavesQty: undefined }), 'leavesQty', /is required for a FILL event/],
      ['FILL with fillQty 0', withFields(fill(), { fillQty: 0 }), 'fillQty', /must be > 0/],
      ['FILL with a negative fillPrice', withFields(fill(), { fillPrice: -1 }), 'fillPrice', /must be > 0/],
      ['FILL with negative leavesQty', withFields(fill(), { leavesQty: -1 }), 'leavesQty', /must be >= 0 \(got number\)/],
      ['FILL with an empty tradeId', withFields(fill(), { tradeId: '' }), 'tradeId', /must not be empty/],
      ['FILL with aggressor "yes"', withFields(fill(), { aggressor: 'yes' }), 'aggressor', /must be a boolean \(true or false\) \(got string\)/],
      ['a string instead of an event', 'NEW', '(root)', /must be a JSON object \(got string\)/],
      ['an array instead of an event', [order()], '(root)', /must be a JSON object \(got array\)/],
      ['null instead of an event', null, '(root)', /is required \(got null\)/],
      ['a number instead of an event', 7, '(root)', /must be a JSON object \(got number\)/],
    ])('%s', (_name, input, field, problem) => {
      const violation = violationOf(contract, input);
      expect(violation).toBeInstanceOf(ContractViolation);
      expect(violation.topic).toBe('market.orders.v1');
      expect(violation.field).toBe(field);
      expect(violation.problem).toMatch(problem);
      expect(violation.message).toContain(`market.orders.v1: field "${field}" `);
    });
  });

  it('names the first failing field and lists the others', () => {
    const violation = violationOf(contract, withFields(order(), { eventId: undefined, venue: '', side: 'UP' }));
    expect(violation.field).toBe('eventId');
    expect(violation.others.map((o) => o.field)).toEqual(['venue', 'side']);
    expect(violation.message).toBe('market.orders.v1: field "eventId" is required (+2 more: venue, side)');
  });

  it('checks event-type requirements only once the fields themselves are sound', () => {
    const violation = violationOf(contract, withFields(fill(), { venue: undefined, tradeId: undefined }));
    expect(violation.field).toBe('venue');
  });

  it('never echoes a long or odd value in the message', () => {
    const long = 'x'.repeat(5000);
    for (const patch of [{ ts: long }, { eventType: long }, { side: 'sk_live_abc/123+=' }, { eventId: long }]) {
      const violation = violationOf(contract, withFields(order(), patch));
      expect(violation.message.length).toBeLessThan(200);
      expect(violation.message).not.toContain('xxxxxxxx');
      expect(violation.message).not.toContain('sk_live');
    }
  });
});
