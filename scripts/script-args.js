// The arguments of the repository's scripts: `--name value` options and flags taken out of
// argv, leaving the positional ones; `usage` printed by --help (exit 0) and after any bad
// value (exit 2), so that a misspelt option never runs something else than asked.
function scriptArgs(usage, argv = process.argv.slice(2)) {
  const args = [...argv];
  const fail = (message) => {
    console.error(`${message}\n${usage}`);
    process.exit(2);
  };
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  const option = (name, fallback) => {
    const index = args.indexOf(name);
    return index < 0 ? fallback : args.splice(index, 2)[1];
  };
  const flag = (name) => {
    const index = args.indexOf(name);
    if (index >= 0) args.splice(index, 1);
    return index >= 0;
  };
  /** A whole number, 1 or more; `what` names it in the error ("rounds", "runs"). */
  const count = (name, fallback, what) => {
    const value = Number(option(name, String(fallback)));
    if (!Number.isInteger(value) || value < 1) fail(`${name}: a whole number of ${what}, 1 or more`);
    return value;
  };
  /** --jest: the Jest major of test-env/ to run. */
  const jestMajor = () => {
    const version = option('--jest', '30');
    if (version !== '29' && version !== '30') fail(`--jest: "${version}"; allowed: 29, 30`);
    return version;
  };
  /** After the options are read: what is left must not look like one. */
  const rejectUnknownOptions = (scriptName) => {
    const unknown = args.find((arg) => arg.startsWith('-'));
    if (unknown !== undefined) fail(`${unknown}: not an option of ${scriptName}`);
  };
  return { args, option, flag, count, jestMajor, rejectUnknownOptions, fail };
}

module.exports = { scriptArgs };
