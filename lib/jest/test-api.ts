/**
 * The `leakwatch` global for test code: `ignore('heap')` inside a test (or its hooks) skips
 * that check for that test; `registerProbe({...})`, from a setup file, adds a user probe.
 */
import { parseCheckNames, parseProbeDefinition } from '../core/test-api-arguments';
import { CHECKS, type Check, type UserCheck } from '../core/types';
import { UserProbe } from '../probes/user';

export interface TestApi {
  ignore(...checks: unknown[]): void;
  registerProbe(definition: unknown): void;
}

export interface TestApiHost {
  /** The user probes registered so far. */
  readonly userProbes: readonly UserProbe[];
  /** Skip these checks for the current test, if a test is being measured. */
  ignore(checks: Check[]): void;
  addUserProbe(probe: UserProbe): void;
}

export function createTestApi(host: TestApiHost): TestApi {
  const userChecks = (): UserCheck[] => host.userProbes.map((probe) => probe.check);
  return Object.freeze({
    ignore: (...checks: unknown[]): void => host.ignore(parseCheckNames(checks, userChecks())),
    registerProbe: (definition: unknown): void => {
      const taken = [...CHECKS, ...userChecks()];
      host.addUserProbe(new UserProbe(parseProbeDefinition(definition, taken)));
    },
  });
}
