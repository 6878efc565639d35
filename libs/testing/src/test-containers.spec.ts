import { containersRequested } from './test-containers';

describe('containersRequested', () => {
  it('is on only for VIGIL_TEST_CONTAINERS=1', () => {
    expect(containersRequested({ VIGIL_TEST_CONTAINERS: '1' })).toBe(true);
    expect(containersRequested({})).toBe(false);
    expect(containersRequested({ VIGIL_TEST_CONTAINERS: 'true' })).toBe(false);
  });
});
