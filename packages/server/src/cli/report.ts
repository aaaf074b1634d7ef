import { REPORT_HELP, REPORT_OPTIONS, REPORT_USAGE } from '@gasgauge/reporter/cli-spec';
import { type Command, DiskFullError, UsageError } from './command.js';
import { onNpmParentGone } from './npm-parent.js';

export const report: Command = {
  usage: REPORT_USAGE,
  summary: 'collect usage, lines of code and town events beside the agents and deliver them (see packages/reporter/README.md)',
  help: REPORT_HELP,
  options: REPORT_OPTIONS,
  positionals: 0,
  noDataDir: true,
  async run(values, _p, out) {
    // Loaded only for this command: the reporter needs none of the server's modules, and the server none of its.
    const reporter = await import('@gasgauge/reporter');
    const stopSignal = new Promise<void>((resolve) => {
      // Said as serve says it: the log shows why the reporter stopped (its last line says what waits for the next start).
      const stop = (signal: NodeJS.Signals) => {
        process.stderr.write(`${signal}: stopping\n`);
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // A closed terminal or ssh session: stop cleanly as on SIGTERM (it was exit 129, the state's lock left to a later start).
      process.once('SIGHUP', stop);
      // `npx gasgauge report` under a supervisor, `timeout` or CI: npm passes a SIGTERM only to the `sh -c` it runs
      // the command in, which ends without passing it on, and the reporter ran on with no parent, holding its
      // state dir's lock (the next one refused to start). As serve does, stop with npm.
      onNpmParentGone((parent) => {
        process.stderr.write(`the npm process that started this reporter (pid ${parent}) is gone: stopping\n`);
        resolve();
      });
    });
    try {
      return await reporter.runReportCli(values, {
        json: out.json,
        stdout: process.stdout,
        stderr: process.stderr,
        stopSignal,
      });
    } catch (err) {
      if (err instanceof reporter.ConfigError) throw new UsageError(err.message);
      // The reporter names its own state dir; without a cause, so main does not name the data dir instead.
      if (err instanceof reporter.StateError && reporter.isDiskFull(err)) throw new DiskFullError(err.message);
      throw err;
    }
  },
};
