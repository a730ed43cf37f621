// Prometheus text exposition of this instance's counters (each instance exports its own; Prometheus sums them).

type Labels = Record<string, string>;

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(Object.entries(labels).sort());
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
  get(labels: Labels = {}): number {
    return this.values.get(JSON.stringify(Object.entries(labels).sort()))?.value ?? 0;
  }
  render(): string {
    const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`).join(',');
      lines.push(`${this.name}${text ? `{${text}}` : ''} ${value}`);
    }
    return lines.join('\n');
  }
}

export function createMetrics() {
  const requests = new Counter('liveness_http_requests_total', 'HTTP requests by route and status code.');
  const decisions = new Counter('liveness_decisions_total', 'Decision records received, by outcome (accepted, duplicate, rejected, deferred).');
  const webhooks = new Counter('liveness_webhook_deliveries_total', 'Webhook delivery attempts by outcome (delivered, retry, failed).');
  const passive = new Counter('liveness_passive_checks_total', 'Standalone passive-liveness checks by status.');
  return {
    requests,
    decisions,
    webhooks,
    passive,
    render: () => [requests, decisions, webhooks, passive].map((counter) => counter.render()).join('\n') + '\n',
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
