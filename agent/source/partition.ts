// Which agent owns a machine when several agents receive the same sensor topics (config
// `partition: { index, count }`). Agent `index` of `count` owns machine m exactly when
//
//   fnv1a32(UTF-8 bytes of m) mod count === index
//
// FNV-1a, 32 bits: h = 0x811c9dc5; for each byte b: h = (h XOR b) × 0x01000193 mod 2^32. The hash
// depends on the machine id alone (no seed, no process state, no Node version), so every agent,
// every restart and any other tool computes the same owner; deploy/SCALE-OUT.md gives the same
// function in a few lines of Python for operators. Each machine has exactly one owner among
// 0 … count-1. Changing `count` moves most machines to another agent (going from n to n+1 agents,
// a machine stays put with probability 1/(n+1)), so a resize is a planned change, not an autoscaler.

export interface PartitionSpec {
  /** This agent's share, 0 … count-1. */
  readonly index: number;
  /** How many agents split the machines. */
  readonly count: number;
}

export interface Partition extends PartitionSpec {
  /** True when this agent owns the machine. */
  owns(machineId: string): boolean;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a of the string's UTF-8 encoding, as an unsigned integer. Allocates nothing. */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  const step = (byte: number): void => {
    h = Math.imul(h ^ byte, FNV_PRIME);
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      step(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate encodes as U+FFFD, as TextEncoder does
    if (c < 0x800) {
      step(0xc0 | (c >> 6));
    } else if (c < 0x10000) {
      step(0xe0 | (c >> 12));
      step(0x80 | ((c >> 6) & 0x3f));
    } else {
      step(0xf0 | (c >> 18));
      step(0x80 | ((c >> 12) & 0x3f));
      step(0x80 | ((c >> 6) & 0x3f));
    }
    step(0x80 | (c & 0x3f));
  }
  return h >>> 0;
}

/** The index of the agent that owns `machineId` among `count` agents. */
export function partitionOf(machineId: string, count: number): number {
  return fnv1a32(machineId) % count;
}

/** Checks the spec (the message names the field and the fix) and returns its ownership test. */
export function createPartition(spec: PartitionSpec): Partition {
  const { index, count } = spec ?? ({} as PartitionSpec);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`partition.count must be a positive integer (how many agents split the machines), got ${String(count)}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`partition.index must be an integer from 0 to ${count - 1} (this agent's share of ${count}), got ${String(index)}`);
  }
  return { index, count, owns: (machineId) => fnv1a32(machineId) % count === index };
}
