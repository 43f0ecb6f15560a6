'use strict';
// naudiodon2 calls registerHandler() at load; crash reports come from our own process supervision.
module.exports = {
  registerHandler() {},
  causeSegfault() {},
  causeAbort() {},
  causeIllegalInstruction() {},
};
