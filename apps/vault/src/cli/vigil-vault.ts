import { runVaultCli } from './vault-cli';

// Entry point of `npx vigil vault ...` (tools/cli/vigil.mjs runs the built file).
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

void runVaultCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stdin: readStdin,
}).then((code) => {
  process.exitCode = code;
});
