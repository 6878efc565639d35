import { KafkaAdmin } from '@vigil/kafka';
import type { RunningService } from '../run-service';

const pause = () => new Promise((resolve) => setTimeout(resolve, 100));

/**
 * For tests of a started service: its /readyz answer once it is 200, or its last answer
 * after `attempts` tries 100 ms apart. Topics are created in the background and clients
 * connect lazily, so a service turns ready a moment after it listens.
 */
export async function readinessOnceReady(service: RunningService, attempts = 150): Promise<{ status: number; body: unknown }> {
  let readyz = await fetch(`${service.url}/readyz`);
  for (let i = 0; i < attempts && readyz.status !== 200; i++) {
    await pause();
    readyz = await fetch(`${service.url}/readyz`);
  }
  return { status: readyz.status, body: await readyz.json() };
}

/**
 * For tests: the partition count of each of `topics` (base names) under `prefix`, as the
 * service's own admin client sees them, keyed by base name. The broker's metadata can
 * trail a topic's creation by a moment, so it asks again until every topic is listed.
 */
export async function topicPartitions(service: RunningService, prefix: string, topics: string[], attempts = 50): Promise<Record<string, number>> {
  const names = topics.map((topic) => `${prefix}${topic}`);
  const described = async () =>
    Object.fromEntries([...(await service.app.get(KafkaAdmin).describeTopics(names))].map(([name, count]) => [name.slice(prefix.length), count]));
  let partitions = await described();
  for (let i = 0; i < attempts && Object.keys(partitions).length < names.length; i++) {
    await pause();
    partitions = await described();
  }
  return partitions;
}
