// DAISY Ace on one EPUB, for pressrun's release gate.
//
// In:  node run-ace.mjs ACE_DIR EPUB OUTDIR, where ACE_DIR holds node_modules with
//      @daisy/ace-core and @daisy/ace-axe-runner-puppeteer, and the environment
//      variable PUPPETEER_EXECUTABLE_PATH names the Chromium to run.
// Out: OUTDIR/report.json, Ace's EARL report; exit 0 when Ace finished, 1 otherwise.
// Chromium runs headless with no network of its own and no sandbox (root in CI).
import { createRequire } from 'node:module';
import path from 'node:path';

const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const [aceDir, epub, outdir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(aceDir), 'package.json'));
const winston = require('winston');
const puppeteer = require('puppeteer');
const axeRunner = require('@daisy/ace-axe-runner-puppeteer');
const ace = require('@daisy/ace-core');

winston.configure({ level: 'warn', transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })] });

const launch = puppeteer.launch;
puppeteer.launch = (options) => launch({
  ...options,
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH,
  args: [...new Set([...(options.args || []), ...CHROMIUM_ARGS])],
});

try {
  await ace(path.resolve(epub), { cwd: process.cwd(), outdir: path.resolve(outdir),
    tmpdir: path.join(path.resolve(outdir), 'unpacked'), lang: 'en' }, axeRunner);
} catch (error) {
  console.error(error && error.message ? error.message : String(error));
  process.exit(1);
}
