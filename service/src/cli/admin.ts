// Entry point of the admin CLI: `npm run scim-admin -- <command>` (see --help).
import { main } from './commands.js';

const result = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  env: process.env,
});
process.exitCode = result.exitCode;
