export * from './report-generated.type';
export { reportGeneratedSchema } from './report-generated.schema';
export { reportGeneratedAvroSchema } from './report-generated.avsc';
export { reportsGeneratedContract } from './reports-generated.contract';
