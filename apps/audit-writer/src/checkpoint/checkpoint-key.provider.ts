import { FactoryProvider } from '@nestjs/common';
import { SERVICE_CONFIG } from '@vigil/service';
import type { AuditWriterConfig } from '../audit-writer.config';
import { CHECKPOINT_KEY } from './checkpoint.constants';
import { loadCheckpointKey, type CheckpointKey } from './signing-key';

/** The signing key, read once at start-up; a missing or malformed file stops the service, named. */
export const checkpointKeyProvider: FactoryProvider<CheckpointKey> = {
  provide: CHECKPOINT_KEY,
  inject: [SERVICE_CONFIG],
  useFactory: (config: AuditWriterConfig) => loadCheckpointKey(config.VIGIL_AUDIT_SIGNING_KEY_FILE),
};
