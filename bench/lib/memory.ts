// Peak memory of a scenario: sampled on a timer (for asynchronous work) and by explicit calls to
// sample() (for synchronous loops, during which no timer fires).
export interface MemoryPeak {
  peakRssMb: number;
  peakHeapUsedMb: number;
}

const MB = 1024 * 1024;

export function trackMemory(intervalMs = 50) {
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > rss) rss = m.rss;
    if (m.heapUsed > heap) heap = m.heapUsed;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    sample,
    stop(): MemoryPeak {
      clearInterval(timer);
      sample();
      return { peakRssMb: Math.round(rss / MB), peakHeapUsedMb: Math.round(heap / MB) };
    },
  };
}

/** Heap in use after a full collection (needs node --expose-gc; otherwise without collecting). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed / MB;
}

export const gcAvailable = () => typeof (globalThis as { gc?: unknown }).gc === 'function';
