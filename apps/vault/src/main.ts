import { loadConfigOrExit } from '@vigil/config';
import { runService } from '@vigil/service';
import { AppModule } from './app.module';
import { vaultConfig } from './vault.config';

// A bad variable stops the service here, named, before anything starts.
const config = loadConfigOrExit(vaultConfig);

void runService({
  name: 'vault',
  module: AppModule,
  config,
  description: 'Credentials encrypted at rest with versioned keys: secret CRUD, encrypt/decrypt, credential loading for every service.',
});
