// summarizeModel / formatSummary: what `vigil inspect` shows. On the fixtures the parameter count
// equals PyTorch's (case.json param_shapes), inputs and outputs carry the symbolic batch dim; on a
// hand-built model every branch (initializers listed as inputs, unknown dims and rank, foreign
// domains, subgraphs, metadata) is pinned, and names from the file cannot smuggle terminal escapes.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AttributeType, DataType, decodeModel, type OnnxGraph, type OnnxModel } from '../../../models/onnx/proto/index.js';
import { formatSummary, summarizeModel } from '../../../models/onnx/summary.js';
import { loadTorchCases } from '../../helpers/torch-cases.js';

describe('summaries of the fixture models', () => {
  for (const c of loadTorchCases()) {
    it(`${c.name}: PyTorch's parameter count, the batch dim by name, plain JSON`, () => {
      const s = summarizeModel(decodeModel(new Uint8Array(readFileSync(c.onnxPath))));
      const torchParams = Object.values(c.json.param_shapes ?? {}).reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
      expect(s.parameterCount).toBe(torchParams);
      expect(s.producerName).toBe('pytorch');
      expect(s.opsets).toEqual([{ domain: 'ai.onnx', version: 14 }]);
      expect(s.inputs).toEqual([{ name: 'input', elemType: 'FLOAT', shape: ['batch', ...c.json.input_shape.slice(1)] }]);
      expect(s.outputs).toEqual([{ name: 'output', elemType: 'FLOAT', shape: ['batch', ...c.json.output_shape.slice(1)] }]);
      expect(Object.values(s.opCounts).reduce((a, b) => a + b, 0)).toBe(s.nodeCount);
      expect(s.nodes.length).toBe(s.nodeCount);
      expect(JSON.parse(JSON.stringify(s))).toEqual(s);
      const text = formatSummary(s);
      expect(text).toContain(`${s.parameterCount.toLocaleString('en-US')} parameters`);
      expect(text).toContain('input  FLOAT [batch, ');
    });
  }
});

function handBuilt(): OnnxModel {
  const empty = { docString: '', floats: [], ints: [], strings: [], tensors: [], graphs: [] };
  const body: OnnxGraph = {
    node: [{ input: ['x'], output: ['y'], name: '', opType: 'Identity', domain: '', attribute: [], docString: '' }],
    name: 'body', initializer: [], docString: '', input: [], output: [], valueInfo: [],
  };
  return {
    irVersion: 9, opsetImport: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
    producerName: 'hand', producerVersion: '', domain: 'org.vigil', modelVersion: 2, docString: '',
    metadataProps: [{ key: 'sensor', value: 'pump-7' }, { key: 'bad\u001b]0;x\u0007', value: 'v' }],
    graph: {
      name: 'main', docString: '', valueInfo: [],
      node: [
        { input: ['X', 'W', ''], output: ['H'], name: 'mm', opType: 'MatMul', domain: '', attribute: [], docString: '' },
        { input: ['H'], output: ['A'], name: '', opType: 'FusedGelu', domain: 'com.microsoft', attribute: [], docString: '' },
        { input: ['A'], output: ['Y'], name: 'loop', opType: 'If', domain: 'ai.onnx', attribute: [
          { ...empty, name: 'then_branch', type: AttributeType.GRAPH, g: body },
          { ...empty, name: 'else_branch', type: AttributeType.GRAPH, g: { ...body, node: [{ ...body.node[0], attribute: [{ ...empty, name: 'inner', g: body }] }] } },
        ], docString: '' },
        { input: ['Y'], output: ['Z'], name: '', opType: 'Relu', domain: '', attribute: [], docString: '' },
        { input: ['Z'], output: ['Z2'], name: '', opType: 'Relu', domain: '', attribute: [], docString: '' },
      ],
      initializer: [
        { name: 'W', dataType: DataType.FLOAT, dims: [3, 4], data: new Float32Array(12), docString: '' },
        { name: 'steps', dataType: DataType.INT64, dims: [], data: new Float64Array(1), docString: '' },
      ],
      input: [
        { name: 'X', docString: '', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, {}, { dimValue: 3 }] } } } },
        { name: 'W', docString: '', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimValue: 3 }, { dimValue: 4 }] } } } },
        { name: 'mask', docString: '', type: { tensorType: { elemType: DataType.BOOL } } },
      ],
      output: [
        { name: 'Z2', docString: '', type: { tensorType: { elemType: DataType.FLOAT16, shape: { dim: [] } } } },
        { name: 'seq', docString: '' },
      ],
    },
  };
}

describe('summarizeModel', () => {
  it('pins every field on a hand-built model', () => {
    const s = summarizeModel(handBuilt());
    expect(s).toEqual({
      irVersion: 9,
      opsets: [{ domain: 'ai.onnx', version: 17 }, { domain: 'com.microsoft', version: 1 }],
      producerName: 'hand', producerVersion: '', domain: 'org.vigil', modelVersion: 2, graphName: 'main',
      inputs: [
        { name: 'X', elemType: 'FLOAT', shape: ['N', null, 3] },
        { name: 'mask', elemType: 'BOOL', shape: null },
      ],
      outputs: [
        { name: 'Z2', elemType: 'FLOAT16', shape: [] },
        { name: 'seq', elemType: '?', shape: null },
      ],
      nodeCount: 5,
      opCounts: { Relu: 2, If: 1, MatMul: 1, 'com.microsoft:FusedGelu': 1 },
      nodes: [
        { name: 'mm', op: 'MatMul', inputs: ['X', 'W', ''], outputs: ['H'] },
        { name: '', op: 'com.microsoft:FusedGelu', inputs: ['H'], outputs: ['A'] },
        { name: 'loop', op: 'If', inputs: ['A'], outputs: ['Y'] },
        { name: '', op: 'Relu', inputs: ['Y'], outputs: ['Z'] },
        { name: '', op: 'Relu', inputs: ['Z'], outputs: ['Z2'] },
      ],
      subgraphCount: 3,
      initializerCount: 2,
      parameterCount: 13,
      initializers: [
        { name: 'W', dataType: 'FLOAT', dims: [3, 4], elements: 12 },
        { name: 'steps', dataType: 'INT64', dims: [], elements: 1 },
      ],
      metadata: [{ key: 'sensor', value: 'pump-7' }, { key: 'bad\u001b]0;x\u0007', value: 'v' }],
    });
  });
});

describe('formatSummary', () => {
  it('renders the hand-built model for a terminal, escaping control characters from the file', () => {
    expect(formatSummary(summarizeModel(handBuilt()))).toBe([
      'ONNX model, IR version 9, from hand, model version 2',
      '  opsets:       ai.onnx v17, com.microsoft v1',
      '  graph:        main',
      '  inputs:',
      '    X     FLOAT [N, ?, 3]',
      '    mask  BOOL (rank unknown)',
      '  outputs:',
      '    Z2   FLOAT16 []',
      '    seq  ? (rank unknown)',
      '  nodes:        5 (Relu ×2, If, MatMul, com.microsoft:FusedGelu)',
      '  subgraphs:    3',
      '  initializers: 2 tensors, 13 parameters',
      '    W      FLOAT [3, 4]',
      '    steps  INT64 []',
      '  metadata:',
      '    sensor = pump-7',
      '    bad\\u001b]0;x\\u0007 = v',
      '  graph nodes:',
      "    0 MatMul                   X, W, '' → H  [mm]",
      '    1 com.microsoft:FusedGelu  H → A',
      '    2 If                       A → Y  [loop]',
      '    3 Relu                     Y → Z',
      '    4 Relu                     Z → Z2',
    ].join('\n'));
  });

  it('says so when there are no inputs, nodes or opsets', () => {
    const m = handBuilt();
    m.opsetImport = [];
    m.graph = { ...m.graph, node: [], input: [], output: [], initializer: [] };
    m.metadataProps = [];
    m.producerName = '';
    delete m.modelVersion;
    const text = formatSummary(summarizeModel(m));
    expect(text).toContain('ONNX model, IR version 9, from unknown producer\n');
    expect(text).toContain('  opsets:       (none)');
    expect(text).toContain('  inputs:       (none)\n  outputs:      (none)');
    expect(text).toContain('  nodes:        0\n');
    expect(text).not.toContain('metadata');
  });
});
