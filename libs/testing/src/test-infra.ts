import { assertInfraUp } from './assert-infra-up';
import type { InfraServer } from './infra-probe';
import { containersRequested, startTestContainers, type StartedInfra } from './test-containers';

/**
 * The servers for one integration test file: the local ones (checked, never started
 * here: npm test / npm run infra -- up do that), or containers with
 * VIGIL_TEST_CONTAINERS=1. Call in beforeAll and `await stop()` in afterAll.
 */
export async function testInfra(servers?: readonly InfraServer[]): Promise<StartedInfra> {
  if (containersRequested()) return startTestContainers();
  const infra = await assertInfraUp(servers ? { servers } : {});
  return { infra, stop: async () => undefined };
}
