import { loadConfigOrExit } from '@vigil/config';
import { runService } from '@vigil/service';
import { AppModule } from './app.module';
import { auditWriterConfig } from './audit-writer.config';

// A bad variable stops the service here, named, before anything starts.
const config = loadConfigOrExit(auditWriterConfig);

void runService({
  name: 'audit-writer',
  module: AppModule,
  config,
  description: 'The tamper-evident audit trail: an append-only Merkle log in Postgres, signed checkpoints, inclusion and consistency proofs.',
});
