// vigil export --model FILE --out OUT.onnx: a plain ONNX file for other tools (Netron,
// onnxruntime, a notebook). A Vigil model file already is one, so this checks that FILE decodes
// (and verifies, with --public-key) and writes its exact bytes atomically; Vigil's metadata stays
// in metadata_props, where other runtimes ignore it.

import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { ModelFileError, decodeModelFile, verifyBytes, writeFileAtomic } from '../../models/persistence/index.js';
import { readUserFile } from './errors.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('write a model as a plain ONNX file (metadata kept) for other runtimes')
    .requiredOption('--model <file>', 'the model file')
    .requiredOption('--out <file>', 'the ONNX file to write')
    .option('--public-key <pem>', 'refuse the model unless FILE.sig verifies with this key')
    .action(async (opts: { model: string; out: string; publicKey?: string }) => {
      const publicKey = opts.publicKey === undefined ? undefined : await readUserFile(opts.publicKey, 'the public key');
      // One read: the bytes checked are the bytes written.
      const bytes = await readFile(opts.model).catch((err: Error) => {
        throw new ModelFileError(opts.model, `cannot read it: ${err.message}`);
      });
      if (publicKey !== undefined) await verifyBytes(bytes, opts.model, publicKey);
      const loaded = decodeModelFile(bytes, opts.model);
      await writeFileAtomic(opts.out, bytes);
      const what = loaded.kind === 'vigil' ? `Vigil ${loaded.parts.meta.architecture} '${loaded.parts.meta.name}' ${loaded.parts.meta.version}` : 'foreign ONNX model';
      process.stdout.write(`wrote ${opts.out} (${bytes.length} bytes, ${what})\n`);
    });
}
