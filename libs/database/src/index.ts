export { migrate, MigrationError, serviceMigrationsDir, type MigrateOptions } from './migrations';
export { inTransaction } from './transaction';
