import { loadConfigOrExit } from '@vigil/config';
import { runService } from '@vigil/service';
import { AppModule } from './app.module';
import { alerterConfig } from './alerter.config';

// A bad variable stops the service here, named, before anything starts.
const config = loadConfigOrExit(alerterConfig);

void runService({
  name: 'alerter',
  module: AppModule,
  config,
  description: 'On-call delivery of compliance alerts and security incidents: dedup, grouping, acknowledgement, escalation, silences.',
});
