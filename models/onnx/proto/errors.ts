// OnnxFormatError and the field paths it names. Every failure to read or write an ONNX file is an
// OnnxFormatError whose message starts with the path of the field at fault, e.g.
//   graph.initializer[3] 'lstm.weight' raw_data: declares 4096 bytes but 120 remain
// Paths are linked lists built once per message and rendered only when an error is thrown.

export class OnnxFormatError extends Error {
  override readonly name = 'OnnxFormatError';
  /** The field path the message starts with ('' when the fault is the file as a whole). */
  readonly path: string;
  constructor(path: string, detail: string) {
    super(path ? `${path}: ${detail}` : detail);
    this.path = path;
  }
}

/** Where a message sits in the model: `graph.node[4] 'lstm_1'`. `label` is set once the message's name is known. */
export class FieldPath {
  label: string | undefined;
  constructor(
    readonly parent: FieldPath | null,
    readonly field: string,
    readonly index?: number,
  ) {}

  child(field: string, index?: number): FieldPath {
    return new FieldPath(this, field, index);
  }

  /** Renders the path, optionally with a leaf field: `graph.initializer[3] 'w' raw_data`. */
  render(leaf?: string): string {
    const parts: string[] = [];
    for (let p: FieldPath | null = this; p !== null; p = p.parent) if (p.field !== '') parts.push(p.segment());
    parts.reverse();
    if (leaf !== undefined) parts.push(leaf);
    if (parts.length === 0) return 'model'; // a fault in ModelProto's own framing
    // Deeply nested subgraphs would make a message kilobytes long: keep the head and the tail.
    if (parts.length > MAX_SEGMENTS) {
      const hidden = parts.length - 10;
      return `${join(parts.slice(0, 4))} … (${hidden} more) … ${join(parts.slice(-6))}`;
    }
    return join(parts);
  }

  error(leaf: string | undefined, detail: string): OnnxFormatError {
    return new OnnxFormatError(this.render(leaf), detail);
  }

  private segment(): string {
    const base = this.index === undefined ? this.field : `${this.field}[${this.index}]`;
    return this.label === undefined || this.label === '' ? base : `${base} ${quote(this.label)}`;
  }
}

const MAX_SEGMENTS = 16;

/** Joins segments: '.' after a plain field, ' ' after a quoted label (`node[4] 'lstm_1' attribute[0]`). */
function join(parts: string[]): string {
  let out = '';
  for (const part of parts) out += out === '' ? part : out.endsWith("'") ? ` ${part}` : `.${part}`;
  return out;
}

/** The root of every path (ModelProto): renders as nothing, so fields read `graph.node[0]`, or alone as `model`. */
export function rootPath(): FieldPath {
  return new FieldPath(null, '');
}

/** Quotes a name from a (possibly hostile) file for an error message: control characters escaped, long names cut. */
export function quote(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex
  return `'${cut.replace(/[\u0000-\u001f\u007f'\\]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}
