/**
 * `testEnvironment: 'jest-environment-leakwatch/jsdom'`: jest-environment-jsdom with leak
 * detection. jest-environment-jsdom is an optional peer dependency: install the one that
 * matches your Jest.
 */
import { TestEnvironment as JsdomEnvironment } from 'jest-environment-jsdom';
import { withLeakDetection } from './jest/environment';

export const TestEnvironment = withLeakDetection(JsdomEnvironment);
export default TestEnvironment;
