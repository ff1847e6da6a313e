/**
 * This process's CPU time, in milliseconds. Budgets for leakwatch's own work are kept in it,
 * not in wall time: on a loaded CI machine wall time stretches several-fold, and a walk cut
 * short by a wall-time budget caught a test on one run and missed it on the next.
 */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
