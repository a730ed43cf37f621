// Prometheus metrics of a kiosk (prom-client): how long each engine stage and the decision core take on this
// machine, served at GET /metrics by the browser-kiosk host. The engine-stage histogram is the same one the
// central server exports, so one dashboard reads both.
import { Histogram, Registry } from 'prom-client';
import type { CreateLivenessSession, FrameEngine } from '../kiosk/ports';

/** Seconds; an engine stage runs 0.5-50 ms on the 2-core reference machine (`npm run bench`). */
export const STAGE_BUCKETS = [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256];

/**
 * liveness_engine_stage_seconds{stage}: the engine's own timings (to_worker, decode, detect = the face detector,
 * landmarks = the face mesh, iris, metrics, pad_cues and pad = presentation-attack detection, total, from_worker)
 * and the decision's (decision = a session or a still judged, session_frame = one frame through the core).
 */
export function engineStageHistogram(registry: Registry): Histogram<'stage'> {
  return new Histogram({
    name: 'liveness_engine_stage_seconds',
    help: 'Time per engine stage (detect, landmarks = mesh, iris, pad, total, ...) and per decision step (decision, session_frame).',
    labelNames: ['stage'] as const,
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
}

/** Records an analysis's per-stage timings (milliseconds, as FrameAnalysis carries them). */
export function observeEngineTimings(histogram: Histogram<'stage'>, timings: Record<string, number> | undefined): void {
  for (const [stage, ms] of Object.entries(timings ?? {})) {
    if (Number.isFinite(ms) && ms >= 0) histogram.observe({ stage }, ms / 1000);
  }
}

/** Runs `work` and records how long it took under `stage`. */
export function timeStage<T>(histogram: Histogram<'stage'>, stage: string, work: () => T): T {
  const end = histogram.startTimer({ stage });
  try {
    return work();
  } finally {
    end();
  }
}

/** A property of the wrapped object; its methods run with the object itself as `this` (private fields work). */
function bound(target: object, property: string | symbol, receiver: unknown): unknown {
  const value = Reflect.get(target, property, receiver) as unknown;
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}

export function createKioskMetrics() {
  const registry = new Registry();
  const stages = engineStageHistogram(registry);
  return {
    registry,
    stages,
    /** The engine, with every analysis's stage timings recorded. */
    instrumentEngine<E extends FrameEngine>(engine: E): E {
      return new Proxy(engine, {
        get(target, property, receiver) {
          if (property !== 'analyzeImage') return bound(target, property, receiver);
          return async (...args: Parameters<FrameEngine['analyzeImage']>) => {
            const analysis = await target.analyzeImage(...args);
            observeEngineTimings(stages, analysis.timings);
            return analysis;
          };
        },
      });
    },
    /** The decision core, with each frame it takes and each decision it makes timed. */
    instrumentSessions(create: CreateLivenessSession): CreateLivenessSession {
      return (config, deps) =>
        new Proxy(create(config, deps), {
          get(target, property, receiver) {
            if (property === 'pushFrame')
              return (analysis: Parameters<typeof target.pushFrame>[0]) =>
                timeStage(stages, 'session_frame', () => target.pushFrame(analysis));
            if (property === 'finish') return () => timeStage(stages, 'decision', () => target.finish());
            return bound(target, property, receiver);
          },
        });
    },
    contentType: registry.contentType,
    render: (): Promise<string> => registry.metrics(),
  };
}
export type KioskMetrics = ReturnType<typeof createKioskMetrics>;
