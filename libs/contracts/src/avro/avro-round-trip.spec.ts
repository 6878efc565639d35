import * as avro from 'avsc';
import type { Contract } from '../contract';
import { CONTRACTS } from '../contracts.registry';
import {
  exampleAuditCheckpoint,
  exampleAuditEvent,
  exampleComplianceAlert,
  exampleFillEvent,
  exampleOrderEvent,
  exampleReportGenerated,
  exampleSecurityIncident,
} from '../testing';
import { TOPICS, type TopicName } from '../topics.constants';

const HASH = Buffer.alloc(32, 1).toString('base64');

/** Realistic values of every topic, including ones that leave every optional field out. */
const EXAMPLES: { [T in TopicName]: Array<[string, unknown]> } = {
  [TOPICS.marketOrders]: [
    ['NEW LIMIT with every optional field', exampleOrderEvent({ beneficialOwnerId: 'OWNER-9' })],
    ['NEW MARKET without price or traderId', exampleOrderEvent({ orderType: 'MARKET', price: undefined, traderId: undefined })],
    ['AMEND', exampleOrderEvent({ eventType: 'AMEND', quantity: 250.5 })],
    ['CANCEL with only required fields', exampleOrderEvent({ eventType: 'CANCEL', orderType: undefined, price: undefined, quantity: undefined, traderId: undefined })],
    ['REJECT', exampleOrderEvent({ eventType: 'REJECT', side: 'SELL' })],
    ['EXPIRE', exampleOrderEvent({ eventType: 'EXPIRE' })],
    ['FILL as aggressor', exampleFillEvent()],
    ['FILL without aggressor, partial', exampleFillEvent({ aggressor: undefined, leavesQty: 10, fillQty: 490 })],
    ['beneficial owner left to default', exampleOrderEvent({ beneficialOwnerId: undefined })],
  ],
  [TOPICS.complianceAlerts]: [
    ['alert with every field', exampleComplianceAlert({ beneficialOwnerId: 'OWNER-1' })],
    ['alert without optional fields and empty evidence', exampleComplianceAlert({ traderId: undefined, evidence: { orderIds: [], tradeIds: [], metrics: {} } })],
    ['wash trade with many metrics', exampleComplianceAlert({ type: 'WASH_TRADE', severity: 'CRITICAL', evidence: { orderIds: ['A', 'B'], tradeIds: ['T1'], metrics: { a: 1, b: -2.5, c: 1e-9, d: 0 } } })],
  ],
  [TOPICS.auditEvents]: [
    ['event with every field', exampleAuditEvent({ reason: 'policy', details: { list: [1, 'two', null, { three: true }], text: 'naïve ✓', n: 1.25 } })],
    ['minimal event', exampleAuditEvent({ traceId: undefined, details: undefined, actor: { type: 'system', id: 'cron' } })],
    ['denied user without ip', exampleAuditEvent({ outcome: 'denied', reason: 'missing role', actor: { type: 'user', id: 'bob', roles: [] } })],
    ['empty details object', exampleAuditEvent({ details: {} })],
  ],
  [TOPICS.securityIncidents]: [
    ['incident with nested evidence', exampleSecurityIncident()],
    ['incident with empty evidence', exampleSecurityIncident({ type: 'TOKEN_REPLAY', severity: 'CRITICAL', evidence: {} })],
  ],
  [TOPICS.auditCheckpoints]: [
    ['partition checkpoint', exampleAuditCheckpoint()],
    ['global checkpoint of an empty tree', exampleAuditCheckpoint({ logId: 'global', origin: 'vigil.dev/audit/global', treeSize: 0, rootHash: HASH })],
    ['large tree', exampleAuditCheckpoint({ treeSize: 2 ** 40, rootHash: HASH })],
  ],
  [TOPICS.reportsGenerated]: [
    ['STOR report', exampleReportGenerated()],
    ['audit attestation', exampleReportGenerated({ type: 'AUDIT_ATTESTATION', format: 'json' })],
  ],
};

const cases = (Object.keys(EXAMPLES) as TopicName[]).flatMap((topic) =>
  EXAMPLES[topic].map(([name, input]) => [topic, name, input] as const),
);

function avroType(contract: Contract<unknown>): avro.Type {
  return avro.Type.forSchema(contract.avroSchema as avro.Schema);
}

describe('Avro form of every contract', () => {
  it.each(Object.values(TOPICS))('%s: the schema is valid Avro in namespace dev.vigil.<topic>', (topic) => {
    const contract = CONTRACTS[topic];
    expect(() => avroType(contract)).not.toThrow();
    expect(contract.avroSchema.namespace).toBe(`dev.vigil.${topic}`);
    // What the registry receives is JSON text: the schema must survive it unchanged.
    expect(JSON.parse(JSON.stringify(contract.avroSchema))).toEqual(contract.avroSchema);
  });

  it.each(Object.values(TOPICS))('%s: optional fields are ["null", T] unions defaulting to null', (topic) => {
    for (const field of CONTRACTS[topic].avroSchema.fields) {
      if (Array.isArray(field.type)) {
        expect([field.name, field.type[0], field.default]).toEqual([field.name, 'null', null]);
      }
    }
  });

  it.each(cases)('%s: %s round-trips through avsc to an equal value', (topic, _name, input) => {
    const contract: Contract<unknown> = CONTRACTS[topic];
    const value = contract.parse(input);
    const type = avroType(contract);
    const record = contract.toAvro(value);
    expect(type.isValid(record)).toBe(true);

    const decoded = type.fromBuffer(type.toBuffer(record)) as Record<string, unknown>;
    const back = contract.parse(contract.fromAvro(decoded));

    expect(back).toEqual(value);
    expect(contract.keyOf(back)).toBe(contract.keyOf(value));
  });

  it('a reader whose schema has one more optional field still reads old records (the allowed evolution)', () => {
    const contract = CONTRACTS[TOPICS.marketOrders];
    const writer = avroType(contract);
    const newer = avro.Type.forSchema({
      ...contract.avroSchema,
      fields: [...contract.avroSchema.fields, { name: 'venueSequence', type: ['null', 'long'], default: null }],
    } as avro.Schema);
    const value = contract.parse(exampleFillEvent());
    const decoded = newer.fromBuffer(writer.toBuffer(contract.toAvro(value)), newer.createResolver(writer)) as Record<string, unknown>;
    expect(contract.parse(contract.fromAvro(decoded))).toEqual(value);
  });

  it('fromAvro leaves JSON text that does not parse for parse() to reject by field', () => {
    const contract = CONTRACTS[TOPICS.auditEvents];
    const record = { ...contract.toAvro(contract.parse(exampleAuditEvent())), details: '{not json' };
    expect(() => contract.parse(contract.fromAvro(record))).toThrow('audit.events.v1: field "details" must be an object (got string)');
  });
});
