/**
 * What `aegir/chai` gives the conformance suites (`interface-datastore-tests`,
 * `interface-blockstore-tests`), which are written for aegir's runner: chai with promise
 * assertions (`.eventually`), and `exist` callable as a method as well as read as a property.
 */

import chaiAsPromised from "chai-as-promised";
import { chai } from "vitest";

chai.use(chaiAsPromised);
/** Property assertions the suites call as methods (`.to.be.true()`), as aegir's dirty-chai allows. */
const callable: Record<string, (value: unknown) => boolean> = {
  true: (value) => value === true,
  false: (value) => value === false,
  ok: (value) => Boolean(value),
  exist: (value) => value !== null && value !== undefined,
};
chai.use((api, utils) => {
  for (const [name, holds] of Object.entries(callable)) {
    const assert = function (this: Chai.AssertionStatic) {
      const value = utils.flag(this, "object");
      this.assert(
        holds(value),
        `expected #{this} to be ${name}`,
        `expected #{this} not to be ${name}`,
        value,
      );
    };
    api.Assertion.addChainableMethod(name, assert, assert);
  }
});

export const expect = chai.expect;
export { chai };
