import { loadConfigOrExit } from '@vigil/config';
import { runService } from '@vigil/service';
import { AppModule } from './app.module';
import { reporterConfig } from './reporter.config';

// A bad variable stops the service here, named, before anything starts.
const config = loadConfigOrExit(reporterConfig);

void runService({
  name: 'reporter',
  module: AppModule,
  config,
  description: 'Regulatory reports from compliance alerts, orders and audit checkpoints.',
});
