// What `vigil inspect` shows about an ONNX model: summarizeModel gives a plain, JSON-ready object
// (IR version, opsets, producer, inputs and outputs with shapes including symbolic dims, nodes by op
// type and in order, initializer and parameter counts, metadata); formatSummary renders it for a
// terminal. Names come from the file, so formatSummary escapes control characters (no terminal
// escape sequences from a hostile model) and cuts very long names.

import { dataTypeName, type OnnxGraph, type OnnxModel, type ValueInfo } from './proto/types.js';

export interface ValueSummary {
  name: string;
  /** Element type by the spec's name ('FLOAT'), or '?' when the value is not a tensor or has no type. */
  elemType: string;
  /** Dims: a number, a symbol such as 'batch', or null when unknown; null for unknown rank. */
  shape: (number | string | null)[] | null;
}

export interface NodeSummary {
  name: string;
  /** op_type, prefixed with its domain when that is not the default ONNX domain ('com.microsoft:Attention'). */
  op: string;
  inputs: string[];
  outputs: string[];
}

export interface InitializerSummary {
  name: string;
  dataType: string;
  dims: number[];
  elements: number;
}

export interface ModelSummary {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number | null;
  graphName: string;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  nodeCount: number;
  /** Node count per op, most frequent first (ties by name). */
  opCounts: Record<string, number>;
  nodes: NodeSummary[];
  /** Graphs nested in node attributes (If/Loop/Scan bodies), at any depth. */
  subgraphCount: number;
  initializerCount: number;
  parameterCount: number;
  initializers: InitializerSummary[];
  metadata: { key: string; value: string }[];
}

export function summarizeModel(model: OnnxModel): ModelSummary {
  const g = model.graph;
  const initNames = new Set(g.initializer.map((t) => t.name));
  const nodes = g.node.map((n): NodeSummary => ({ name: n.name, op: opKey(n.domain, n.opType), inputs: [...n.input], outputs: [...n.output] }));
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  const opCounts: Record<string, number> = {};
  for (const [op, c] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) opCounts[op] = c;
  const initializers = g.initializer.map((t): InitializerSummary => ({
    name: t.name, dataType: dataTypeName(t.dataType), dims: [...t.dims], elements: t.data.length,
  }));
  return {
    irVersion: model.irVersion,
    opsets: model.opsetImport.map((o) => ({ domain: o.domain === '' ? 'ai.onnx' : o.domain, version: o.version })),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: model.modelVersion ?? null,
    graphName: g.name,
    // Older exporters list initializers among the inputs; they are weights, not inputs to feed.
    inputs: g.input.filter((v) => !initNames.has(v.name)).map(valueSummary),
    outputs: g.output.map(valueSummary),
    nodeCount: nodes.length,
    opCounts,
    nodes,
    subgraphCount: countSubgraphs(g),
    initializerCount: initializers.length,
    parameterCount: initializers.reduce((s, t) => s + t.elements, 0),
    initializers,
    metadata: model.metadataProps.map((e) => ({ key: e.key, value: e.value })),
  };
}

export function formatSummary(s: ModelSummary): string {
  const lines: string[] = [];
  const producer = [s.producerName, s.producerVersion].filter((x) => x !== '').join(' ') || 'unknown producer';
  lines.push(`ONNX model, IR version ${s.irVersion}, from ${clean(producer)}${s.modelVersion === null ? '' : `, model version ${s.modelVersion}`}`);
  lines.push(`  opsets:       ${s.opsets.map((o) => `${clean(o.domain)} v${o.version}`).join(', ') || '(none)'}`);
  if (s.graphName !== '') lines.push(`  graph:        ${clean(s.graphName)}`);
  lines.push(...valueLines('inputs', s.inputs), ...valueLines('outputs', s.outputs));
  const ops = Object.entries(s.opCounts).map(([op, c]) => (c === 1 ? clean(op) : `${clean(op)} ×${c}`));
  lines.push(`  nodes:        ${s.nodeCount}${ops.length > 0 ? ` (${ops.join(', ')})` : ''}`);
  if (s.subgraphCount > 0) lines.push(`  subgraphs:    ${s.subgraphCount}`);
  lines.push(`  initializers: ${s.initializerCount} tensors, ${s.parameterCount.toLocaleString('en-US')} parameters`);
  const initWidth = widest(s.initializers.map((t) => t.name));
  for (const t of s.initializers) lines.push(`    ${clean(t.name).padEnd(initWidth)}  ${t.dataType} [${t.dims.join(', ')}]`);
  if (s.metadata.length > 0) {
    lines.push('  metadata:');
    for (const m of s.metadata) lines.push(`    ${clean(m.key)} = ${clean(m.value)}`);
  }
  lines.push('  graph nodes:');
  const width = String(Math.max(0, s.nodes.length - 1)).length;
  const opWidth = widest(s.nodes.map((n) => n.op));
  // An omitted optional input is the empty name; show it as '' so positions stay readable.
  const names = (list: string[]): string => list.map((x) => (x === '' ? "''" : clean(x))).join(', ') || '(none)';
  s.nodes.forEach((n, i) => {
    const name = n.name === '' ? '' : `  [${clean(n.name)}]`;
    lines.push(`    ${String(i).padStart(width)} ${clean(n.op).padEnd(opWidth)}  ${names(n.inputs)} → ${names(n.outputs)}${name}`);
  });
  return lines.join('\n');
}

function valueLines(title: string, values: ValueSummary[]): string[] {
  if (values.length === 0) return [`  ${title}:${' '.repeat(13 - title.length)}(none)`];
  const w = widest(values.map((v) => v.name));
  return [`  ${title}:`, ...values.map((v) => `    ${clean(v.name).padEnd(w)}  ${v.elemType} ${shapeText(v.shape)}`)];
}

/** Width of the widest cleaned name (a loop, not Math.max(...), which overflows the stack on huge graphs). */
function widest(names: string[]): number {
  let w = 0;
  for (const n of names) w = Math.max(w, clean(n).length);
  return w;
}

function shapeText(shape: ValueSummary['shape']): string {
  if (shape === null) return '(rank unknown)';
  return `[${shape.map((d) => (d === null ? '?' : typeof d === 'string' ? clean(d) : String(d))).join(', ')}]`;
}

function valueSummary(v: ValueInfo): ValueSummary {
  const t = v.type?.tensorType;
  if (t === undefined) return { name: v.name, elemType: '?', shape: null };
  const shape = t.shape === undefined ? null : t.shape.dim.map((d) => d.dimValue ?? d.dimParam ?? null);
  return { name: v.name, elemType: dataTypeName(t.elemType), shape };
}

function opKey(domain: string, opType: string): string {
  return domain === '' || domain === 'ai.onnx' ? opType : `${domain}:${opType}`;
}

function countSubgraphs(g: OnnxGraph): number {
  let n = 0;
  for (const node of g.node) {
    for (const a of node.attribute) {
      for (const sub of a.g === undefined ? a.graphs : [a.g, ...a.graphs]) n += 1 + countSubgraphs(sub);
    }
  }
  return n;
}

/** Escapes control characters (C0, DEL, C1) and cuts names past 120 characters, for terminal output. */
function clean(text: string): string {
  const cut = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
