// The broker's configuration template: the settings the rest of Vigil relies on.
import fs from 'node:fs';
import path from 'node:path';

function readProperties(file: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([^#=\s][^=]*)=(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) props[match[1].trim()] = match[2].trim();
  }
  return props;
}

const props = readProperties(path.join(__dirname, 'server.properties'));

describe('deploy/kafka/server.properties', () => {
  it('is one KRaft node, broker and controller, on loopback only', () => {
    expect(props['process.roles']).toBe('broker,controller');
    expect(props['node.id']).toBe('1');
    expect(props['listeners']).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9094');
    expect(props['controller.quorum.bootstrap.servers']).toBe('127.0.0.1:9094');
  });

  it('never creates topics by accident', () => {
    expect(props['auto.create.topics.enable']).toBe('false');
  });

  it('keeps internal topics at replication 1 with few partitions', () => {
    for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'share.coordinator.state.topic.replication.factor']) {
      expect(props[key]).toBe('1');
    }
    for (const key of ['offsets.topic.num.partitions', 'transaction.state.log.num.partitions', 'share.coordinator.state.topic.num.partitions']) {
      expect(Number(props[key])).toBeLessThanOrEqual(3);
    }
    expect(props['transaction.state.log.min.isr']).toBe('1');
  });

  it('lets consumers join without the initial rebalance delay', () => {
    expect(props['group.initial.rebalance.delay.ms']).toBe('0');
  });

  it('leaves the data dir to scripts/infra.mjs', () => {
    expect(props['log.dirs']).toBe('{{LOG_DIRS}}');
  });
});
