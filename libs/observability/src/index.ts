export { KafkaMetrics } from './kafka-metrics';
