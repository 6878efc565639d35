import type { Contract } from './contract';
import { ContractViolation } from './contract';
import { CONTRACTS } from './contracts.registry';
import {
  exampleAuditCheckpoint,
  exampleAuditEvent,
  exampleComplianceAlert,
  exampleFillEvent,
  exampleReportGenerated,
  exampleSecurityIncident,
} from './testing';
import { TOPICS } from './topics.constants';

// Consumers feed parse() whatever arrives on a topic. Whatever that is, parse must either
// return a value or throw a ContractViolation (which goes to the DLQ): never another error,
// which would look like a bug and could stop the partition.
const ODD_VALUES: unknown[] = [
  undefined, null, '', ' ', 'x', '12.5', 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, true,
  [], [null], {}, { a: null }, new Date(0), 'x'.repeat(10_000), '2026-02-30T00:00:00Z', 2 ** 63,
];

const EXAMPLES: Array<[Contract<unknown>, Record<string, unknown>]> = [
  [CONTRACTS[TOPICS.marketOrders], { ...exampleFillEvent() }],
  [CONTRACTS[TOPICS.complianceAlerts], { ...exampleComplianceAlert() }],
  [CONTRACTS[TOPICS.auditEvents], { ...exampleAuditEvent() }],
  [CONTRACTS[TOPICS.securityIncidents], { ...exampleSecurityIncident() }],
  [CONTRACTS[TOPICS.auditCheckpoints], { ...exampleAuditCheckpoint() }],
  [CONTRACTS[TOPICS.reportsGenerated], { ...exampleReportGenerated() }],
];

describe.each(EXAMPLES.map(([contract, example]) => ({ topic: contract.topic, contract, example })))(
  '$topic parse on odd input',
  ({ contract, example }) => {
    it('returns a value or throws ContractViolation for any odd value in any field', () => {
      let rejected = 0;
      for (const field of Object.keys(example)) {
        for (const odd of ODD_VALUES) {
          try {
            contract.parse({ ...example, [field]: odd });
          } catch (error) {
            expect(error).toBeInstanceOf(ContractViolation);
            expect((error as ContractViolation).message.length).toBeLessThan(400);
            rejected++;
          }
        }
      }
      expect(rejected).toBeGreaterThan(0);
    });

    it.each(ODD_VALUES.map((value) => [value]))('whole message %p', (odd) => {
      try {
        contract.parse(odd);
      } catch (error) {
        expect(error).toBeInstanceOf(ContractViolation);
        return;
      }
      throw new Error('parse accepted a message that is not an event');
    });
  },
);
