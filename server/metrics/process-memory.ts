// One process's memory as the console's `status` shows it, read the same way in the primary, the
// coordinator and each worker: resident set, and how much of it V8's heap and Buffers account for
// (RSS well above heapTotal + external is allocator or code space; heapTotal well above heapUsed
// is room V8 holds for garbage it has not collected or given back yet).
import v8 from 'node:v8';

export interface ProcessMemory {
  /** Resident set, MB. */
  rssMB: number;
  /** Live (and not yet collected) objects in V8's heap, MB. */
  heapMB: number;
  /** V8's heap as reserved and committed, MB. */
  heapTotalMB: number;
  /** Memory of Buffers and other objects held outside V8's heap, MB. */
  externalMB: number;
  /** Of heapTotal, V8's young generation (new space) as it has grown, MB. */
  youngMB: number;
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

export function processMemory(): ProcessMemory {
  const m = process.memoryUsage();
  let young = 0;
  for (const sp of v8.getHeapSpaceStatistics()) if (sp.space_name === 'new_space') young = sp.space_size;
  return { rssMB: mb(m.rss), heapMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external), youngMB: mb(young) };
}
