// The configuration a replay runs with: the live one (defaults ← --config file ← VIGIL_* environment,
// resolved and validated by agent/config/resolve.ts exactly as `vigil run` does), minus the sections
// that only describe live I/O (broker, alertBroker, partition: a replay opens no connection, so a
// broker password file missing on this laptop must not stop it), plus the model file from --model
// (without --model, the config's model.path names it).
//
// The sampling grid: a recorded log says its own sampling period. When the configuration does not
// set sampling.periodMs (file or environment), the period is the log's median timestamp step, and
// the other time settings that default relative to a 1 s period follow it unless they are set
// themselves: toleranceMs = period / 2, maxHoldMs = 3 periods, windows.maxGapMs = 10 periods (the
// defaults' own ratios). A NAB file (5-minute steps) then gets a 5-minute grid instead of a 1 s one
// on which every sample would be a gap. Every derived value is listed in `notes`, for the summary.

import { ConfigError, readConfigFile, resolveConfig } from '../config/resolve.js';
import { DEFAULT_CONFIG, type VigilConfig } from '../config/types.js';
import { UsageError } from '../commands/errors.js';

/** Sections a replay never uses and does not validate. */
const LIVE_IO_SECTIONS = ['broker', 'alertBroker', 'partition'] as const;
const LIVE_IO_ENV = /^VIGIL_(BROKER|ALERT_BROKER|PARTITION)_/;

/** Time settings that can follow the log's sampling period. */
const GRID_PATHS = ['sampling.periodMs', 'sampling.toleranceMs', 'sampling.maxHoldMs', 'windows.maxGapMs'] as const;
type GridPath = (typeof GRID_PATHS)[number];

export interface ReplayConfig {
  readonly config: VigilConfig;
  /** Where it came from, for messages: the file, or 'defaults'. */
  readonly source: string;
  /** Grid settings the file or the environment set explicitly. */
  readonly explicit: ReadonlySet<GridPath>;
}

/** Resolves the replay's configuration; a bad file or value is a UsageError naming it. */
export function loadReplayConfig(configPath: string | undefined, modelPath: string | undefined, env: NodeJS.ProcessEnv = process.env): ReplayConfig {
  const source = configPath ?? 'defaults';
  try {
    const file = configPath === undefined ? {} : readConfigFile(configPath);
    for (const s of LIVE_IO_SECTIONS) delete file[s];
    const replayEnv: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(env)) if (!LIVE_IO_ENV.test(k)) replayEnv[k] = v;
    const config = resolveConfig({ file, fileName: source, env: replayEnv, flags: modelPath === undefined ? {} : { model: { path: modelPath } } });
    const explicit = new Set<GridPath>();
    for (const path of GRID_PATHS) {
      const [section, field] = path.split('.');
      const inFile = isObject(file[section]) && (file[section] as Record<string, unknown>)[field] !== undefined;
      const envName = `VIGIL_${section.toUpperCase()}_${field.replace(/([A-Z])/g, '_$1').toUpperCase()}`;
      if (inFile || (replayEnv[envName] ?? '') !== '') explicit.add(path);
    }
    return { config, source, explicit };
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

export interface SamplingPlan {
  readonly periodMs: number;
  readonly toleranceMs: number;
  readonly maxHoldMs: number;
  readonly maxGapMs: number;
  /** True when the period came from the log rather than the configuration. */
  readonly derived: boolean;
  /** One line per derived value or doubtful setting, for the summary. */
  readonly notes: readonly string[];
}

/**
 * The sampling grid for a log whose median timestamp step is `medianStepMs` (undefined: the log
 * has fewer than two times per machine, so the configuration's period stands).
 */
export function planSampling({ config, explicit }: ReplayConfig, medianStepMs: number | undefined): SamplingPlan {
  const notes: string[] = [];
  const configured = explicit.has('sampling.periodMs');
  const derived = !configured && medianStepMs !== undefined && medianStepMs > 0;
  const periodMs = derived ? medianStepMs : config.sampling.periodMs;
  if (derived) {
    notes.push(`sampling.periodMs ${periodMs} (${formatDuration(periodMs)}): derived from the log's median timestamp step; set sampling.periodMs in --config to override`);
  } else if (configured && medianStepMs !== undefined && (medianStepMs > 1.5 * periodMs || medianStepMs < periodMs / 1.5)) {
    notes.push(`warning: sampling.periodMs is ${periodMs} ms but the log's median timestamp step is ${medianStepMs} ms (${formatDuration(medianStepMs)}); samples off the configured grid are dropped`);
  }
  const follow = (path: GridPath, configuredValue: number, ratio: number): number => {
    if (!derived || explicit.has(path)) return configuredValue;
    const value = ratio * periodMs;
    if (value !== configuredValue) notes.push(`${path} ${value} (${formatDuration(value)}): ${ratio} × the period, as the default is for 1 s`);
    return value;
  };
  const ratios = DEFAULT_CONFIG.sampling.periodMs;
  return {
    periodMs,
    toleranceMs: follow('sampling.toleranceMs', config.sampling.toleranceMs, DEFAULT_CONFIG.sampling.toleranceMs / ratios),
    maxHoldMs: follow('sampling.maxHoldMs', config.sampling.maxHoldMs, DEFAULT_CONFIG.sampling.maxHoldMs / ratios),
    maxGapMs: follow('windows.maxGapMs', config.windows.maxGapMs, DEFAULT_CONFIG.windows.maxGapMs / ratios),
    derived,
    notes,
  };
}

/** 300000 → "5 min", 1500 → "1.5 s", 250 → "250 ms". */
export function formatDuration(ms: number): string {
  const a = Math.abs(ms);
  const fmt = (v: number, unit: string): string => `${Number(v.toPrecision(3))} ${unit}`;
  if (a < 1000) return fmt(ms, 'ms');
  if (a < 60_000) return fmt(ms / 1000, 's');
  if (a < 3_600_000) return fmt(ms / 60_000, 'min');
  if (a < 86_400_000) return fmt(ms / 3_600_000, 'h');
  return fmt(ms / 86_400_000, 'd');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
