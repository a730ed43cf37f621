// Milliseconds on a clock both sides of a worker share (each thread's performance.now() has its own origin).
export const wallClockMs = (): number => performance.timeOrigin + performance.now();
