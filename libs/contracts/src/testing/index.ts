export {
  exampleAuditCheckpoint,
  exampleAuditEvent,
  exampleComplianceAlert,
  exampleFillEvent,
  exampleOrderEvent,
  exampleReportGenerated,
  exampleSecurityIncident,
} from './examples';
export { violationOf } from './violation-of';
