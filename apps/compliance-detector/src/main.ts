import { loadConfigOrExit } from '@vigil/config';
import { runService } from '@vigil/service';
import { AppModule } from './app.module';
import { complianceDetectorConfig } from './compliance-detector.config';

// A bad variable stops the service here, named, before anything starts.
const config = loadConfigOrExit(complianceDetectorConfig);

void runService({
  name: 'compliance-detector',
  module: AppModule,
  config,
  description: 'Real-time market-manipulation detection on market.orders.v1 with explained alerts on compliance.alerts.v1.',
});
