import type { Contract } from '../contract';
import { pickForAvro, withoutNulls } from '../avro/avro-fields';
import { TOPICS } from '../topics.constants';
import { defineContract } from '../validation/define-contract';
import { reportGeneratedAvroSchema } from './report-generated.avsc';
import { reportGeneratedSchema } from './report-generated.schema';
import type { ReportGenerated } from './report-generated.type';

/** reports.generated (Vigil-internal): finished report files, keyed by reportId. */
export const reportsGeneratedContract: Contract<ReportGenerated> = defineContract({
  topic: TOPICS.reportsGenerated,
  schema: reportGeneratedSchema,
  keyOf: (report) => report.reportId,
  avroSchema: reportGeneratedAvroSchema,
  toAvro: (report) => pickForAvro(report, reportGeneratedAvroSchema.fields),
  fromAvro: withoutNulls,
});
