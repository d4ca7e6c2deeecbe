// vigil sign --key PRIVATE.pem FILE: writes FILE.sig, an Ed25519 signature over FILE's exact
// bytes. Devices configured with the matching public key load FILE only while it verifies.

import { Command } from 'commander';
import { signFile } from '../../models/persistence/index.js';
import { readUserFile } from './errors.js';

export function signCommand(): Command {
  return new Command('sign')
    .description('sign a model file for a fleet (writes FILE.sig)')
    .argument('<file>', 'the model file to sign')
    .requiredOption('--key <private.pem>', 'Ed25519 private key (from `vigil keygen`)')
    .action(async (file: string, opts: { key: string }) => {
      const pem = await readUserFile(opts.key, 'the private key');
      const sigPath = await signFile(file, pem);
      process.stdout.write(`signed ${file}\nsignature: ${sigPath}\n`);
    });
}
