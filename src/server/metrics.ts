// Prometheus metrics (prom-client), one registry per server instance: each instance exports its own, Prometheus
// sums them. Counters for what happened, histograms for how long requests and engine stages took.
import { Counter, Histogram, Registry } from 'prom-client';
import { engineStageHistogram, observeEngineTimings, timeStage } from '../node/host/kiosk-metrics';

/** Seconds; spans a cached health check (1 ms) to a cold engine load on a slow kiosk PC (10 s). */
const REQUEST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics() {
  const registry = new Registry();
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const requests = counter('liveness_http_requests_total', 'HTTP requests by route and status code.', ['route', 'method', 'code']);
  const decisions = counter(
    'liveness_decisions_total',
    'Decision records received, by outcome (accepted, duplicate, rejected, deferred).',
    ['outcome'],
  );
  const webhooks = counter('liveness_webhook_deliveries_total', 'Webhook delivery attempts by outcome (delivered, retry, failed).', [
    'outcome',
  ]);
  const passive = counter('liveness_passive_checks_total', 'Standalone passive-liveness checks by status.', ['status']);
  const requestSeconds = new Histogram({
    name: 'liveness_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being sent, by route.',
    labelNames: ['route', 'method'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const engineStageSeconds = engineStageHistogram(registry);
  return {
    registry,
    requests,
    decisions,
    webhooks,
    passive,
    requestSeconds,
    engineStageSeconds,
    /** Record an engine analysis's per-stage timings (milliseconds, as FrameAnalysis carries them). */
    observeEngineTimings: (timings: Record<string, number> | undefined): void => observeEngineTimings(engineStageSeconds, timings),
    /** Runs a decision step and records its time as an engine stage (`decision`). */
    timeStage: <T>(stage: string, work: () => T): T => timeStage(engineStageSeconds, stage, work),
    contentType: registry.contentType,
    render: (): Promise<string> => registry.metrics(),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
