// vigil keygen --out DIR: a fresh Ed25519 key pair for signing models, as DIR/private.pem (mode
// 0600: it signs what a whole fleet will run) and DIR/public.pem (give it to the devices).
// Existing keys are never overwritten unless --force: losing a fleet's signing key is costly.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { generateKeyPair, writeFileAtomic } from '../../models/persistence/index.js';
import { UsageError } from './errors.js';

export function keygenCommand(): Command {
  return new Command('keygen')
    .description('generate an Ed25519 key pair for signing models (DIR/private.pem, DIR/public.pem)')
    .requiredOption('--out <dir>', 'directory for the keys (created if missing)')
    .option('--force', 'overwrite keys already in the directory', false)
    .addHelpText('after', '\nSign with `vigil sign --key DIR/private.pem MODEL`; devices load signed models with the public key.')
    .action(async (opts: { out: string; force: boolean }) => {
      const privatePath = join(opts.out, 'private.pem');
      const publicPath = join(opts.out, 'public.pem');
      for (const p of [privatePath, publicPath]) {
        if (existsSync(p) && !opts.force) throw new UsageError(`${p} already exists; refusing to overwrite a key (pass --force to replace it)`);
      }
      await mkdir(opts.out, { recursive: true });
      const keys = generateKeyPair();
      await writeFileAtomic(privatePath, new TextEncoder().encode(keys.privateKey), { mode: 0o600 });
      await writeFileAtomic(publicPath, new TextEncoder().encode(keys.publicKey), { mode: 0o644 });
      process.stdout.write(`private key: ${privatePath} (keep it secret; it signs models)\npublic key:  ${publicPath} (install on devices)\n`);
    });
}
